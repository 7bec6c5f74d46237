/// What a profile's sample values measure.
public enum ProfileKind: String, Codable, Sendable, CaseIterable {
    /// On-CPU samples: each value is a sample count taken at `hz`.
    case cpu
    /// Off-CPU (blocked) time: each value is nanoseconds spent off CPU with that stack.
    case offcpu

    /// The unit of a sample value.
    public var unit: String { self == .cpu ? "samples" : "nanoseconds" }
}
