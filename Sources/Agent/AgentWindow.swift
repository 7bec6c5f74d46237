import ProfileModel

/// One window of a continuous recording: the profiles of every sample taken in [start, end),
/// each sample in exactly one window, and what was lost in it.
public struct AgentWindow: Sendable {
    /// 0, 1, 2, ... in order.
    public var index: Int
    /// The window's span on the monotonic clock the samples carry, and on the wall clock.
    public var startMonotonicNs: UInt64
    public var endMonotonicNs: UInt64
    public var startUnixNs: UInt64
    public var endUnixNs: UInt64
    /// One profile per recorded kind; samples carry their pid and tid.
    public var profiles: [Profile]
    /// Events lost in this window: ring buffer full, off-CPU map full.
    public var drops: UInt64
    /// Samples whose user stack could not be read: the copy got nothing, the DWARF unwind failed,
    /// or the event could not be decoded.
    public var unreadable: UInt64
    /// Whether this is the last window (the agent is stopping).
    public var isFinal: Bool
    /// The command name (`comm`) of every process with samples in the window, taken from its events:
    /// right even when the process exited before the window is written.
    public var commands: [Int32: String] = [:]

    /// Samples of every kind.
    public var sampleCount: Int { profiles.reduce(0) { $0 + $1.samples.count } }
}
