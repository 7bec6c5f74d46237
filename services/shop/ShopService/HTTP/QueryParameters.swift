import Hummingbird

/// Validated query parameters: a bad value is a 400 with a message naming the parameter.
struct QueryParameters {
    let request: Request

    func int(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let raw = request.uri.queryParameters[Substring(name)] else { return fallback }
        guard let value = Int(raw), range.contains(value) else {
            throw HTTPError(.badRequest, message: "bad query parameter \(name): expected an integer in \(range.lowerBound)...\(range.upperBound), got '\(raw)'\n")
        }
        return value
    }

    func double(_ name: String, default fallback: Double, range: ClosedRange<Double>) throws -> Double {
        guard let raw = request.uri.queryParameters[Substring(name)] else { return fallback }
        guard let value = Double(raw), range.contains(value) else {
            throw HTTPError(.badRequest, message: "bad query parameter \(name): expected a number in \(range.lowerBound)...\(range.upperBound), got '\(raw)'\n")
        }
        return value
    }

    func string(_ name: String, default fallback: String) throws -> String {
        guard let raw = request.uri.queryParameters[Substring(name)] else { return fallback }
        guard !raw.isEmpty, raw.count <= 64, raw.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw HTTPError(.badRequest, message: "bad query parameter \(name): expected 1-64 letters, digits, '-' or '_'\n")
        }
        return String(raw)
    }
}
