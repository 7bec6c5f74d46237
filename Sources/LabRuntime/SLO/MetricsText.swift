/// A Prometheus text exposition, parsed into samples: `name{label="value",...} value [# exemplar]`.
/// Written by hand: swift-prometheus writes this format but has no reader, and the lab needs only
/// counters and histogram buckets (no escapes beyond `\"`, `\\` and `\n` in label values).
public struct MetricsText: Sendable {
    /// One sample line.
    public struct Sample: Sendable, Equatable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    public let samples: [Sample]

    public init(_ text: String) {
        samples = text.split(separator: "\n").compactMap { Self.parse(Substring($0)) }
    }

    /// The value of the sample named `name` whose labels include all of `labels`.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }?.value
    }

    /// The count of a histogram's bucket at bound `le` (compared as numbers: `0.1` is `0.10`).
    public func bucket(_ histogram: String, le bound: Double, _ labels: [String: String] = [:]) -> Double? {
        samples.first { sample in
            sample.name == histogram + "_bucket" && labels.allSatisfy { sample.labels[$0.key] == $0.value }
                && sample.labels["le"].flatMap(Double.init).map { $0 == bound || ($0.isFinite && bound.isFinite && abs($0 - bound) <= 1e-12 * max(1, abs(bound))) } == true
        }?.value
    }

    static func parse(_ line: Substring) -> Sample? {
        let line = line.drop { $0 == " " }
        guard let first = line.first, first != "#" else { return nil }
        var labels: [String: String] = [:]
        let name: Substring, rest: Substring
        if let brace = line.firstIndex(of: "{") {
            name = line[..<brace]
            guard let (parsed, end) = parseLabels(line[line.index(after: brace)...]) else { return nil }
            labels = parsed
            rest = line[end...]
        } else {
            guard let space = line.firstIndex(of: " ") else { return nil }
            name = line[..<space]
            rest = line[space...]
        }
        let fields = rest.split(separator: " ", omittingEmptySubsequences: true)
        guard let text = fields.first, let value = Double(text == "+Inf" ? "inf" : text == "-Inf" ? "-inf" : String(text)) else { return nil }
        return Sample(name: String(name), labels: labels, value: value)
    }

    /// Labels up to the closing brace; returns them and the index after the brace.
    private static func parseLabels(_ text: Substring) -> ([String: String], Substring.Index)? {
        var labels: [String: String] = [:]
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == "}" { return (labels, text.index(after: index)) }
            if text[index] == "," || text[index] == " " { index = text.index(after: index); continue }
            guard let equals = text[index...].firstIndex(of: "="), text.index(after: equals) < text.endIndex,
                  text[text.index(after: equals)] == "\"" else { return nil }
            let key = String(text[index..<equals])
            var value = ""
            var cursor = text.index(equals, offsetBy: 2)
            while cursor < text.endIndex, text[cursor] != "\"" {
                if text[cursor] == "\\", text.index(after: cursor) < text.endIndex {
                    cursor = text.index(after: cursor)
                    value.append(text[cursor] == "n" ? "\n" : text[cursor])
                } else {
                    value.append(text[cursor])
                }
                cursor = text.index(after: cursor)
            }
            guard cursor < text.endIndex else { return nil }
            labels[key] = value
            index = text.index(after: cursor)
        }
        return nil
    }
}
