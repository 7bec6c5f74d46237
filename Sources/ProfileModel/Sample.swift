/// One sample of a `Profile`: an interned stack, a value and labels.
public struct Sample: Hashable, Codable, Sendable {
    /// Index into `Profile.stacks`.
    public var stackID: Int
    /// A count (CPU), nanoseconds (off-CPU) or bytes (memory); see `ProfileKind.unit`.
    public var value: Int64
    /// Memory profiles only: the allocations behind `value` bytes (pprof's `*_objects`). nil
    /// elsewhere, and then absent from the encoded sample, so other kinds encode as before.
    public var objects: Int64?
    public var labels: SampleLabels

    public init(stackID: Int, value: Int64, objects: Int64? = nil, labels: SampleLabels = .none) {
        self.stackID = stackID
        self.value = value
        self.objects = objects
        self.labels = labels
    }
}
