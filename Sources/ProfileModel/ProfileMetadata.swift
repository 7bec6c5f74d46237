/// What a profile is of and how it was taken. Every report states these.
public struct ProfileMetadata: Hashable, Codable, Sendable {
    public var kind: ProfileKind
    /// Sampling frequency for CPU profiles; 0 for off-CPU and for inputs that do not say.
    public var hz: Int
    /// How user stacks were unwound; nil when the input does not say or merged profiles disagree.
    public var unwindMode: UnwindMode?
    public var service: String?
    public var version: String?
    /// Wall-clock start and end, nanoseconds since the Unix epoch (0 when unknown).
    public var startUnixNs: UInt64
    public var endUnixNs: UInt64
    /// CLOCK_MONOTONIC at `startUnixNs` (0 when unknown): samples carry monotonic times, and this
    /// anchor places them on wall time (`wallTimeNs(of:)`).
    public var monotonicStartNs: UInt64 = 0
    /// Samples lost to full ring buffers or maps, as counted by the agent.
    public var dropped: Int64
    /// Memory profiles: the mean bytes between samples (`--alloc-rate`); pprof's `period`. nil for
    /// other kinds (and then absent from the encoding).
    public var allocationRateBytes: Int64?
    /// Page-fault profiles: one sample every this many faults (per CPU); pprof's `period`.
    public var faultPeriod: Int64?
    /// Memory profiles: which of the two values `Sample.value` holds; nil is `space` (bytes), the
    /// default. Set by `Profile.selectingSampleType`.
    public var memorySampleType: MemorySampleType?

    public init(kind: ProfileKind = .cpu, hz: Int = 0, unwindMode: UnwindMode? = nil, service: String? = nil,
                version: String? = nil, startUnixNs: UInt64 = 0, endUnixNs: UInt64 = 0, monotonicStartNs: UInt64 = 0, dropped: Int64 = 0) {
        self.kind = kind
        self.hz = hz
        self.unwindMode = unwindMode
        self.service = service
        self.version = version
        self.startUnixNs = startUnixNs
        self.endUnixNs = endUnixNs
        self.monotonicStartNs = monotonicStartNs
        self.dropped = dropped
    }

    /// The unit of `Sample.value`: the kind's, or allocations for a memory profile showing objects.
    public var valueUnit: SampleValueUnit {
        kind.isMemory && memorySampleType == .objects ? .allocations : kind.unit
    }

    /// The period of a kind sampled by amount rather than by clock: the fault period for page faults,
    /// the allocation rate (bytes) for memory kinds, nil for the others. What the store keeps per window.
    public var samplingPeriod: Int64? {
        get { kind == .faults ? faultPeriod : kind.isMemory ? allocationRateBytes : nil }
        set {
            if kind == .faults { faultPeriod = newValue } else if kind.isMemory { allocationRateBytes = newValue }
        }
    }

    /// The unwind mode as reports and codecs spell it (`unknown` when not known).
    public var unwindLabel: String { unwindMode?.rawValue ?? "unknown" }

    /// A sample's monotonic time on the wall clock (Unix ns); nil without both anchors.
    public func wallTimeNs(of monotonicNs: UInt64) -> UInt64? {
        guard startUnixNs > 0, monotonicStartNs > 0 else { return nil }
        return monotonicNs >= monotonicStartNs ? startUnixNs + (monotonicNs - monotonicStartNs) : startUnixNs - min(startUnixNs, monotonicStartNs - monotonicNs)
    }
}
