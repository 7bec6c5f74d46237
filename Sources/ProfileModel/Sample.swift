/// One sample of a `Profile`: an interned stack, a value and labels.
public struct Sample: Hashable, Codable, Sendable {
    /// Index into `Profile.stacks`.
    public var stackID: Int
    /// A count (CPU) or nanoseconds (off-CPU); see `ProfileKind.unit`.
    public var value: Int64
    public var labels: SampleLabels

    public init(stackID: Int, value: Int64, labels: SampleLabels = .none) {
        self.stackID = stackID
        self.value = value
        self.labels = labels
    }
}
