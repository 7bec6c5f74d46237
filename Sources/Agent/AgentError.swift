/// An agent failure, worded `failed to <verb> <thing>: <reason>`.
public struct AgentError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
