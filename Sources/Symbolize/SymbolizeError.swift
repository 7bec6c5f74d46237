/// Why a symbolization source could not be used. Messages read `failed to <verb> <thing>: <reason>`.
public struct SymbolizeError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The whole message, e.g. `failed to read /proc/42/maps: No such file or directory`.
    public let description: String

    public init(_ description: String) {
        self.description = description
    }

    static func failed(_ verb: String, _ thing: String, _ reason: String) -> SymbolizeError {
        SymbolizeError("failed to \(verb) \(thing): \(reason)")
    }
}
