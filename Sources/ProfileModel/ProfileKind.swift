/// What a profile's sample values measure.
public enum ProfileKind: String, Codable, Sendable, CaseIterable {
    /// On-CPU samples: each value is a sample count taken at `hz`.
    case cpu
    /// Off-CPU (blocked) time: each value is nanoseconds spent off CPU with that stack.
    case offcpu
    /// Allocations made during the run (Poisson byte sampling, weighted back): each value is
    /// estimated bytes allocated with that stack, `Sample.objects` the estimated allocation count.
    case alloc
    /// Allocations still live at the end of the run (sampled ones tracked to their free): each value
    /// is estimated bytes in use, `Sample.objects` the estimated live allocations.
    case inuse
    /// Page faults sampled with their stacks (the software page-faults event, one sample every
    /// `ProfileMetadata.faultPeriod` faults per CPU): each value is the faults a sample stands for. A
    /// fault maps a page for the first time, so this is where resident memory grows.
    case faults

    /// The unit of a sample value (memory: bytes; `ProfileMetadata.valueUnit` knows when it is allocations).
    public var unit: SampleValueUnit {
        switch self {
        case .cpu: return .samples
        case .offcpu: return .nanoseconds
        case .alloc, .inuse: return .bytes
        case .faults: return .faults
        }
    }

    /// Whether values are bytes of memory (and samples carry `objects`).
    public var isMemory: Bool { self == .alloc || self == .inuse }
}
