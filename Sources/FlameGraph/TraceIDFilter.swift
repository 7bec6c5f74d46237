import ProfileModel

/// Which samples a trace-id filter keeps: ids or id prefixes, separated by commas or blanks,
/// compared case-insensitively. The HTML page's script applies the same rule.
public struct TraceIDFilter: Sendable, Equatable {
    /// The lowercase ids or prefixes; empty keeps every sample.
    public let prefixes: [String]

    /// Parses `text` such as `4bf92f35,00f067aa0ba902b7`.
    public init(_ text: String) {
        prefixes = text.lowercased().split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" || $0 == "\n" })
            .map(String.init)
    }

    /// A filter on exactly these ids.
    public init(_ ids: [TraceID]) {
        prefixes = ids.map(\.hex)
    }

    /// True when no id was given.
    public var isEmpty: Bool { prefixes.isEmpty }

    /// The filter's canonical text (`a,b`).
    public var text: String { prefixes.joined(separator: ",") }

    /// Whether `sample` passes: always when empty, otherwise when its trace id starts with a prefix.
    public func matches(_ sample: Sample) -> Bool {
        guard !prefixes.isEmpty else { return true }
        guard let id = sample.labels.traceID?.hex else { return false }
        return prefixes.contains { id.hasPrefix($0) }
    }
}
