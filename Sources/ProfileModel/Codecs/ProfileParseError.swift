/// A decoder's complaint about its input, naming the line (text formats) or the field (pprof, JSON).
///
/// `description` reads `failed to parse <format> at line N: reason` or
/// `failed to parse <format> at field F: reason`. Callers that know the file add it with
/// `naming(file:)`, giving `failed to parse <format> file <path> at line N: reason`.
public struct ProfileParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Where in the input the problem is.
    public enum Location: Equatable, Sendable {
        /// 1-based line number of a text format.
        case line(Int)
        /// A field path, e.g. `Profile.sample[3].location_id` or `profiles[0].weights`.
        case field(String)
        /// The input as a whole (empty, wrong magic, ...).
        case input
    }

    /// `folded`, `pprof`, `speedscope`, `gzip`.
    public var format: String
    public var location: Location
    public var reason: String
    /// The file the input came from, when the caller knows it.
    public var file: String?

    public init(format: String, location: Location, reason: String, file: String? = nil) {
        self.format = format
        self.location = location
        self.reason = reason
        self.file = file
    }

    /// The same error, with the input's file name added to the message.
    public func naming(file: String) -> ProfileParseError {
        var copy = self
        copy.file = file
        return copy
    }

    public var description: String {
        var text = "failed to parse \(format)"
        if let file { text += " file \(file)" }
        switch location {
        case .line(let n): text += " at line \(n)"
        case .field(let f): text += " at field \(f)"
        case .input: break
        }
        return text + ": " + reason
    }
}
