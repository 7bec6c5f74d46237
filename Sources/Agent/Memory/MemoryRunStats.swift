/// What the memory probes saw in one recording: calls, samples, and every loss, counted.
public struct MemoryRunStats: Sendable, Equatable, Codable {
    /// Mean bytes between samples (`--alloc-rate`).
    public var rateBytes: UInt64 = 0
    /// Whether addresses were tracked to their free (in-use profile: return probes and free attached).
    public var tracksInUse = false
    /// In-use through uprobe sessions (kernel 6.13+: the return probe armed for sampled calls only), or
    /// an entry and a return probe on every call.
    public var usesUprobeSessions = false
    /// Allocator calls trapped (entry probes), by BPF's count: sampled or not, each paid the uprobe.
    public var allocatorCalls: UInt64 = 0
    /// Allocations sampled in BPF, and received by the agent.
    public var sampledInBPF: UInt64 = 0
    public var sampledAllocations = 0
    /// Sampled allocations whose event was lost (ring buffer full).
    public var ringBufferDrops: UInt64 = 0
    /// Sampled allocations left out of the in-use profile: the BPF live map was full.
    public var liveMapFull: UInt64 = 0
    public var untrackedAllocations = 0
    /// Sampled calls lost between entry and return (the pending map was full).
    public var pendingMapFull: UInt64 = 0
    /// Sampled calls that returned no memory.
    public var failedAllocations: UInt64 = 0
    /// Sampled allocations made while the thread published a trace context (their samples carry its ids).
    public var samplesWithTraceContext = 0
    /// Distinct sampled stacks that carried CPython frames.
    public var stacksWithPythonFrames = 0
    /// Frees of tracked addresses received.
    public var trackedFrees = 0
    /// Events the agent could not decode.
    public var undecodableEvents = 0
    /// The libc file probed per target.
    public var libcPaths: [Int32: String] = [:]

    public init() {}

    /// Losses that leave sampled allocations out of a profile.
    public var drops: UInt64 { ringBufferDrops &+ pendingMapFull &+ UInt64(undecodableEvents) }

    /// Losses that leave sampled allocations out of an in-use profile (`inUse`: those left untracked by
    /// a full live map too) or an alloc profile.
    func lost(inUse: Bool) -> UInt64 { drops &+ (inUse ? liveMapFull : 0) }

    /// One line for the run summary.
    public var summary: String {
        var text = "memory: \(allocatorCalls) allocator calls, \(sampledAllocations) sampled (1 per \(rateBytes) B)"
        text += ", \(samplesWithTraceContext) with trace id, \(stacksWithPythonFrames) stacks with Python frames, \(drops) lost (ring buffer \(ringBufferDrops), pending map \(pendingMapFull))"
        if tracksInUse { text += ", \(usesUprobeSessions ? "uprobe sessions" : "uretprobes"), \(trackedFrees) tracked frees, \(liveMapFull) not tracked (live map full)" }
        return text
    }
}
