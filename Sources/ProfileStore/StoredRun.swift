import ProfileModel

/// What the store knows about one run: how it was taken, where, and how many samples it holds.
///
/// It holds no environment and no arguments of the profiled process: `command` is the
/// executable's name only.
public struct StoredRun: Hashable, Sendable {
    public var id: RunID
    public var service: String?
    public var version: String?
    public var kind: ProfileKind
    public var hz: Int
    /// How user stacks were unwound; nil when unknown.
    public var unwindMode: UnwindMode?
    /// Wall-clock start and end, nanoseconds since the Unix epoch (0 when unknown).
    public var startUnixNs: UInt64
    public var endUnixNs: UInt64
    /// CLOCK_MONOTONIC at `startUnixNs`, which places the samples' times on wall time (0 when unknown).
    public var monotonicStartNs: UInt64 = 0
    /// Samples the agent lost (full ring buffers or maps).
    public var dropped: Int64
    /// The host the run was recorded on.
    public var host: String
    /// The profiled program's name, without arguments.
    public var command: String
    /// Number of stored samples and the sum of their values.
    public var sampleCount: Int64
    public var totalValue: Int64

    /// The run's settings as profile metadata.
    public var metadata: ProfileMetadata {
        ProfileMetadata(kind: kind, hz: hz, unwindMode: unwindMode, service: service, version: version,
                        startUnixNs: startUnixNs, endUnixNs: endUnixNs, monotonicStartNs: monotonicStartNs, dropped: dropped)
    }
}
