import CBPF
import ProfileModel
import Symbolize

/// The memory kinds of one recording: memory.bpf.o attached to each target's libc allocator, its ring
/// buffer drained into a `MemoryRecorder`, and the alloc / in-use profiles built at the end.
final class MemoryProfiler {
    private let object: MemoryObject
    private let recorder: MemoryRecorder
    private var reader: RingBufferReader?
    private let rateBytes: UInt64
    private var libcPaths: [Int32: String] = [:]
    /// Continuous mode: the losses counted up to the last cut.
    private var lostAtCut: UInt64 = 0

    /// 8 MiB: at the default rate a sample is ~1 KiB per 512 KiB allocated, so one 250 ms drain
    /// interval holds what ~15 GiB/s of allocation sends.
    static let ringBufferBytes = 8 << 20

    /// Loads memory.bpf.o for `config`'s memory kinds (return probes and free only for in-use).
    /// `sharedMaps`: the profiler's maps to share (see `MemoryObject`); `pythonResolver`: the run's
    /// resolver of Python frames (nil: no Python frames).
    init(config: AgentConfig, sharedMaps: [String: Int32], pythonResolver: PythonFrameResolver?) throws {
        recorder = MemoryRecorder(pythonResolver: pythonResolver)
        let path = try BPFObjectLocator.locate("memory", explicitDirectory: config.bpfDirectory)
        rateBytes = config.allocRateBytes
        object = try MemoryObject(path: path, rateBytes: config.allocRateBytes, inUse: config.kinds.contains(.inuse),
                                  python: pythonResolver != nil, ringBufferBytes: Self.ringBufferBytes, sharedMaps: sharedMaps)
        let recorder = recorder
        reader = try RingBufferReader(fd: object.eventsFD()) { bytes in recorder.record(bytes) }
    }

    /// Probes `pid`'s libc allocator. Throws when it has none (statically linked) or a probe is refused.
    func attach(pid: Int32) throws {
        libcPaths[pid] = try object.attach(pid: pid)
    }

    /// Handles the events in the ring buffer (draining thread).
    func drain() {
        reader?.consume()
    }

    /// Removes the probes; what was sampled stays.
    func detach() {
        object.detachAll()
    }

    /// Continuous mode: removes `pid`'s probes (a target removed); its samples stay.
    func detach(pid: Int32) {
        object.detach(pid: pid)
    }

    /// Continuous mode, at a cut: drains the ring buffer and returns the sampled allocations lost since
    /// the last cut (ring buffer, pending map, undecodable; and untracked, for in-use).
    func drainForCut() -> UInt64 {
        drain()
        let lost = runStats().lost(inUse: object.tracksInUse)
        defer { lostAtCut = lost }
        return lost &- lostAtCut
    }

    /// Continuous mode: the window's profiles of the memory kinds among `kinds` (alloc: what was
    /// sampled since the last cut; in-use: what is live now, whenever it was sampled), each with
    /// `metadata(kind)` and the rate. Then only what later snapshots need is kept.
    func windowProfiles(kinds: [ProfileKind], symbolizer: StackSymbolizing, metadata: (ProfileKind) -> ProfileMetadata) -> [Profile] {
        let profiles = kinds.filter(\.isMemory).map { build($0, symbolizer: symbolizer, metadata: metadata($0)) }
        recorder.startNextWindow()
        return profiles
    }

    /// Continuous mode: forgets what was kept for processes gone (their live allocations, here and in
    /// the BPF live map). Their probes were detached when they left the target set.
    func forget(pids: Set<Int32>) {
        for (pid, addresses) in recorder.forget(pids: pids) { object.forgetLive(pid: pid, addresses: addresses) }
        for pid in pids { libcPaths[pid] = nil }
    }

    /// Drains the rest and builds the profiles of the memory kinds among `kinds`, with the run's counts.
    func finish(kinds: [ProfileKind], symbolizer: StackSymbolizing, metadata: (ProfileKind) -> ProfileMetadata) -> ([Profile], MemoryRunStats) {
        drain()
        reader = nil
        let stats = runStats()
        let profiles = kinds.filter(\.isMemory).map { build($0, symbolizer: symbolizer, metadata: metadata($0), stats: stats) }
        return (profiles, stats)
    }

    /// The profile of `kind` as it stands now, without ending the run (draining thread): in-use holds
    /// the sampled allocations live at this moment.
    func snapshot(_ kind: ProfileKind, symbolizer: StackSymbolizing, metadata: ProfileMetadata) -> Profile {
        drain()
        return build(kind, symbolizer: symbolizer, metadata: metadata, stats: runStats())
    }

    /// The recorder's counts with the BPF side's counters.
    private func runStats() -> MemoryRunStats {
        var stats = recorder.counts
        let counters = object.counters()
        stats.rateBytes = rateBytes
        stats.tracksInUse = object.tracksInUse
        stats.usesUprobeSessions = object.usesSessions
        stats.allocatorCalls = counters[Int(FLAMELAB_MEM_COUNTER_CALLS.rawValue)]
        stats.sampledInBPF = counters[Int(FLAMELAB_MEM_COUNTER_SAMPLED.rawValue)]
        stats.ringBufferDrops = counters[Int(FLAMELAB_MEM_COUNTER_RINGBUF_DROPS.rawValue)]
        stats.liveMapFull = counters[Int(FLAMELAB_MEM_COUNTER_LIVE_MAP_FULL.rawValue)]
        stats.pendingMapFull = counters[Int(FLAMELAB_MEM_COUNTER_PENDING_FULL.rawValue)]
        stats.failedAllocations = counters[Int(FLAMELAB_MEM_COUNTER_FAILED.rawValue)]
        stats.libcPaths = libcPaths
        return stats
    }

    /// The profile of `kind` with the run's losses so far.
    private func build(_ kind: ProfileKind, symbolizer: StackSymbolizing, metadata: ProfileMetadata, stats: MemoryRunStats) -> Profile {
        var meta = metadata
        meta.dropped = Int64(clamping: stats.lost(inUse: kind == .inuse))
        return build(kind, symbolizer: symbolizer, metadata: meta)
    }

    /// The profile of `kind` with `metadata` and the rate.
    private func build(_ kind: ProfileKind, symbolizer: StackSymbolizing, metadata: ProfileMetadata) -> Profile {
        var meta = metadata
        meta.allocationRateBytes = Int64(clamping: rateBytes)
        return recorder.build(kind: kind, rateBytes: rateBytes, symbolizer: symbolizer, libcPaths: libcPaths, metadata: meta)
    }
}
