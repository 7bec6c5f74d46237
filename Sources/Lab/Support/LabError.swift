/// An error whose text is already a `failed to <verb> <thing>: <reason>` message for the user.
public struct LabError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
