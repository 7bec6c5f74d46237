/// The one error type of flamelab's modules: a message for a person, worded
/// `failed to <verb> <thing>: <reason>`, and what kind of failure it is, which the CLI maps to its
/// exit status in one place. (`ProfileParseError` stays apart: it carries the line or field.)
public struct FlamelabError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What kind of failure: the CLI exits 1 for `failed`, 2 for `input`.
    public enum Code: String, Sendable {
        /// Something that should have worked did not (a process, the kernel, a file system).
        case failed
        /// The user's input is wrong: a missing or malformed file, an unknown id or name.
        case input
    }

    public let code: Code
    /// The whole message, ready for a person.
    public let description: String

    public init(_ description: String, code: Code = .failed) {
        self.description = description
        self.code = code
    }

    /// `failed to <verb> <thing>: <reason>`.
    public static func failed(_ verb: String, _ thing: String, _ reason: String, code: Code = .failed) -> FlamelabError {
        FlamelabError("failed to \(verb) \(thing): \(reason)", code: code)
    }
}
