import ProfileModel

/// What the store knows about one window (a recorded profile of one kind and one set of labels
/// over a stretch of time: a `lab record` run, or one of `lab agent`'s windows): how it was taken,
/// where, and how many samples it holds.
///
/// It holds no environment and no arguments of the profiled process: `command` is the
/// executable's name only.
public struct StoredRun: Hashable, Sendable {
    public var id: RunID
    public var service: String?
    public var version: String?
    /// The process, when all the window's samples are of one.
    public var pid: Int32?
    public var kind: ProfileKind
    public var hz: Int
    /// The sampling period of a kind sampled by amount (`ProfileMetadata.samplingPeriod`: faults per
    /// sample, or mean bytes between memory samples); nil for clock-driven kinds and for faults windows
    /// written before the store kept it.
    public var period: Int64?
    /// How user stacks were unwound; nil when unknown.
    public var unwindMode: UnwindMode?
    /// Wall-clock start and end, nanoseconds since the Unix epoch (0 when unknown).
    public var startUnixNs: UInt64
    public var endUnixNs: UInt64
    /// CLOCK_MONOTONIC at `startUnixNs`, which places the samples' times on wall time (0 when unknown).
    public var monotonicStartNs: UInt64 = 0
    /// Samples the agent lost (full ring buffers or maps) in this window.
    public var dropped: Int64
    /// Samples whose stack could not be read (user stack copy failed, DWARF unwind failed, undecodable).
    public var unreadable: Int64 = 0
    /// The host the run was recorded on.
    public var host: String
    /// The profiled program's name, without arguments.
    public var command: String
    /// Number of stored samples and the sum of their values.
    public var sampleCount: Int64
    public var totalValue: Int64
    /// False for windows merged by retention: their samples keep stacks and values, no times or ids.
    public var traced: Bool = true

    public init(id: RunID, service: String?, version: String?, pid: Int32? = nil, kind: ProfileKind, hz: Int, unwindMode: UnwindMode?,
                startUnixNs: UInt64, endUnixNs: UInt64, monotonicStartNs: UInt64 = 0, dropped: Int64, unreadable: Int64 = 0,
                host: String, command: String, sampleCount: Int64, totalValue: Int64, traced: Bool = true) {
        self.id = id
        self.service = service
        self.version = version
        self.pid = pid
        self.kind = kind
        self.hz = hz
        self.unwindMode = unwindMode
        self.startUnixNs = startUnixNs
        self.endUnixNs = endUnixNs
        self.monotonicStartNs = monotonicStartNs
        self.dropped = dropped
        self.unreadable = unreadable
        self.host = host
        self.command = command
        self.sampleCount = sampleCount
        self.totalValue = totalValue
        self.traced = traced
    }

    /// The run's settings as profile metadata.
    public var metadata: ProfileMetadata {
        ProfileMetadata(kind: kind, hz: hz, unwindMode: unwindMode, service: service, version: version,
                        startUnixNs: startUnixNs, endUnixNs: endUnixNs, monotonicStartNs: monotonicStartNs, dropped: dropped)
    }
}

/// The identity of an agent window: its rows share host, wall span and monotonic anchor.
private struct WindowIdentity: Hashable {
    let host: String
    let startUnixNs: UInt64
    let endUnixNs: UInt64
    let monotonicStartNs: UInt64
}

extension Collection where Element == StoredRun {
    /// The drops and unreadable stacks of the windows these rows belong to, each window counted once:
    /// an agent window's rows (one per process and kind) all carry the whole window's counts, so a
    /// selection of some of its rows (one version, one kind) still shows what the window lost. Runs
    /// written from files (traced, no monotonic anchor) are counted each.
    public var windowLosses: (dropped: Int64, unreadable: Int64) {
        var seen = Set<WindowIdentity>()
        var dropped: Int64 = 0, unreadable: Int64 = 0
        for run in self {
            let window = WindowIdentity(host: run.host, startUnixNs: run.startUnixNs, endUnixNs: run.endUnixNs, monotonicStartNs: run.monotonicStartNs)
            // Agent windows (anchored) and retention's merges of them (untraced, summed per label group
            // over the same windows) count once per span; runs written from files count each.
            let shared = run.monotonicStartNs > 0 || !run.traced
            guard !shared || seen.insert(window).inserted else { continue }
            dropped &+= run.dropped
            unreadable &+= run.unreadable
        }
        return (dropped, unreadable)
    }
}
