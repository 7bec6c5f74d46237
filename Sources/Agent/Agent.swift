import CBPF
import Foundation
import ProfileModel
import Symbolize

/// The flamelab eBPF agent: loads profiler.bpf.o, attaches the CPU sampler and the off-CPU hook,
/// drains the ring buffer on its own thread, and turns the events into one `Profile` per kind.
///
/// Use `record()` for a whole run, or `start()`, then `requestStop()` (e.g. on Ctrl-C) and `finish()`.
/// `@unchecked Sendable`: state shared with the draining and preparation threads is behind `lock`; the rest is set up before they start and read after they end.
public final class Agent: @unchecked Sendable {
    public let config: AgentConfig
    /// Called about once a second on the draining thread with the run so far (the CLI draws its
    /// progress line from it); nil reports nothing. The agent itself prints nothing.
    public var onProgress: (@Sendable (AgentProgress) -> Void)?
    /// Continuous mode (`AgentConfig.windowSeconds`): called on the draining thread with each window
    /// as it closes, the last one from `finish()`. Hand it on quickly (to a queue): draining waits.
    public var onWindow: (@Sendable (AgentWindow) -> Void)?

    private let symbolizer: Symbolizer
    private let recorder: SampleRecorder
    private var object: ProfilerObject?
    private var reader: RingBufferReader?
    /// The memory kinds' allocator probes; nil without `alloc`/`inuse`.
    private var memory: MemoryProfiler?
    private var stats = AgentRunStats()
    private var drainThread: Thread?
    private let drained = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    /// Wakes the draining thread before its interval ends: a stop, a cut or a target change.
    private let wake = DispatchSemaphore(value: 0)
    private var stopRequested = false
    private var startUptime = 0.0
    private var stopUptime = 0.0
    private var startUnixNs: UInt64 = 0
    private var startMonotonicNs: UInt64 = 0
    private var targetPids: [Int32] = []
    private var exitedTargets: [Int32] = []
    /// Whole-system mode prepares new processes here, off the draining thread.
    private let preparation = DispatchQueue(label: "flamelab-agent-prepare-symbols", qos: .utility)
    /// Up to 4 executables read at once: one huge binary must not hold back the small ones.
    private let contextPreparation: OperationQueue = {
        let queue = OperationQueue()
        queue.name = "flamelab-agent-prepare-context"
        queue.maxConcurrentOperationCount = 4
        return queue
    }()
    private var preparationCancelled = false
    /// Continuous mode: the builder (its symbol cache lives across windows) and the cut state.
    private var windowBuilder: ProfileBuilder
    private var windowIndex = 0
    private var windowStartMonotonicNs: UInt64 = 0
    private var nextCutUptime = 0.0
    private var countersAtCut = ProfilerCounters([])
    private var recorderAtCut = RecorderCounts()
    /// Processes seen gone at the last cut: what is kept for them is dropped at this one.
    private var goneAtLastCut = Set<Int32>()
    /// Targets added or removed from other threads, applied by the draining thread.
    /// In call order: an add then a remove of one pid must end removed.
    private var pendingTargetChanges: [(pid: Int32, add: Bool)] = []
    /// `cutWindowNow()` was called: the draining thread cuts at its next pass.
    private var cutRequested = false
    private var pendingPython: [PythonProcessInfo] = []
    private let traceContextExports = TraceContextExportCache()
    /// Targets (explicit pids) with no thread-context variable found yet, tried again when their mappings change.
    private let unlocatedTraceContexts = UnlocatedTraceContexts()
    /// Process CPU seconds and uptime when `waitUntilPrepared` returned: the steady state starts there.
    private var preparedMark: (cpu: Double, uptime: Double)?
    /// `memorySnapshot` requests, served by the draining thread.
    private let memorySnapshots = MemorySnapshotRequests()
    /// Keeps the kernel's BPF run-time statistics on while open.
    private var statsFD: Int32 = -1

    public init(config: AgentConfig, symbolizer: Symbolizer = Symbolizer()) {
        self.config = config
        self.symbolizer = symbolizer
        recorder = SampleRecorder(unwind: config.unwind, python: config.python, crossCheckDwarf: config.crossCheckDwarf)
        windowBuilder = ProfileBuilder(symbolizer: symbolizer)
        stats.unwindMode = config.unwind
    }

    /// Continuous mode: starts sampling `pid` (and its threads) from any thread; its symbols and
    /// trace-context offset are prepared in the background, its samples flow from the next drain.
    public func addTarget(_ pid: Int32) {
        withLock { pendingTargetChanges.append((pid, true)) }
        wake.signal()
    }

    /// Continuous mode: closes the open window at the next drain (within a few milliseconds) instead
    /// of at its planned end, so a reader gets the samples up to now (from any thread).
    public func cutWindowNow() {
        withLock { cutRequested = true }
        wake.signal()
    }

    /// Continuous mode: stops sampling `pid` (from any thread).
    public func removeTarget(_ pid: Int32) {
        withLock { pendingTargetChanges.append((pid, false)) }
        wake.signal()
    }

    /// The pids sampled now (`.pids` targets; empty for the whole machine).
    public var currentTargets: [Int32] { withLock { targetPids } }

    /// Records for the configured duration (or until every target exited / `requestStop()`).
    public func record() throws -> AgentRecording {
        try start()
        return finish()
    }

    /// Loads and attaches the programs and starts draining. Throws `FlamelabError` with the reason.
    public func start() throws {
        try config.validate()
        try Preflight.check(config)
        let path = try BPFObjectLocator.locate("profiler", explicitDirectory: config.bpfDirectory)
        if config.measureBPFTime {
            statsFD = bpf_enable_stats(BPF_STATS_RUN_TIME)
            if statsFD < 0 { stats.addNote("failed to enable BPF run-time statistics: \(String(cString: strerror(-statsFD)))") }
        }
        let loaded = try ProfilerObject.load(
            path: path, settings: bpfSettings(), ringBufferBytes: config.ringBufferBytes,
            cpu: config.kinds.contains(.cpu), offCPU: config.kinds.contains(.offcpu), faults: config.kinds.contains(.faults)
        )
        object = loaded
        if case .pids(let pids) = config.targets {
            targetPids = Array(Set(pids)).sorted()
            for pid in targetPids {
                try loaded.addTarget(pid: pid)
                prepareProcess(pid)
            }
        }
        if config.kinds.contains(where: \.isMemory) {
            var shared: [String: Int32] = [:]
            for map in [ProfilerMap.tlsOffsets, .pythonProcesses] { shared[map.rawValue] = try loaded.mapFD(map) }
            let profiler = try MemoryProfiler(config: config, sharedMaps: shared,
                                              pythonResolver: recorder.pythonResolver)
            for pid in targetPids { try profiler.attach(pid: pid) }
            memory = profiler
        }
        recorder.onNewProcess = { [unowned self] pid in
            if case .all = self.config.targets { self.prepareInBackground(pid) }
        }
        // A full map only leaves that process on bounded copies (its stacks end early, counted).
        recorder.onBoundedStackUnjoinable = { pid in try? loaded.requireFullStack(pid: pid) }
        reader = try RingBufferReader(fd: loaded.mapFD(.events)) { [unowned self] bytes in
            if let event = RawEvent.decode(bytes) { self.recorder.record(event, bytes: bytes) } else { self.recorder.countUndecodable() }
        }
        if config.kinds.contains(.cpu) { stats.cpusSampled = try loaded.attachCPUSampler(hz: config.hz) }
        if config.kinds.contains(.faults) { _ = try loaded.attachFaultSampler(period: config.faultPeriod) }
        if config.kinds.contains(.offcpu) {
            try loaded.attachOffCPU()
            stats.schedSwitchHook = loaded.schedSwitchHook?.rawValue
            if loaded.schedSwitchHook != .btfTracepoint {
                stats.addNote("off-cpu attached through the \(loaded.schedSwitchHook?.rawValue ?? "?") fallback: tp_btf/sched_switch was refused")
            }
        }
        preparation.async { [symbolizer] in symbolizer.prepareKernel() }
        startUptime = ProcessInfo.processInfo.systemUptime
        startUnixNs = Self.nanoseconds(CLOCK_REALTIME)
        startMonotonicNs = Self.nanoseconds(CLOCK_MONOTONIC)
        windowStartMonotonicNs = startMonotonicNs
        nextCutUptime = startUptime + (config.windowSeconds ?? .infinity)
        let thread = Thread { [unowned self] in self.drainLoop() }
        thread.stackSize = 8 << 20
        thread.name = "flamelab-agent-drain"
        drainThread = thread
        thread.start()
    }

    /// Waits until the start-up work in the background (kernel symbols, whole-system preparation) is done;
    /// the agent's CPU from here to the stop is reported as its steady-state cost.
    public func waitUntilPrepared() {
        preparation.sync {}
        contextPreparation.waitUntilAllOperationsAreFinished()
        let mark = (Self.cpuSeconds(Self.usageOfProcess), ProcessInfo.processInfo.systemUptime)
        withLock { preparedMark = mark }
    }

    /// Asks the draining thread to stop at its next poll (safe from any thread).
    public func requestStop() {
        lock.lock()
        stopRequested = true
        lock.unlock()
        wake.signal()
    }

    /// Waits for the run to end, detaches every program, drains what is left and builds the profiles.
    public func finish() -> AgentRecording {
        if drainThread != nil {
            drained.wait()
            drainThread = nil
        }
        // Detach first: the sampling window is the recording's, not the time spent finishing it.
        object?.detachAll()
        memory?.detach()
        withLock { preparationCancelled = true }
        contextPreparation.waitUntilAllOperationsAreFinished()
        preparation.sync {}
        takePendingPython()
        reader?.consume()
        if config.windowSeconds != nil { cutWindow(final: true) }
        readCounters()
        stats.bpfPrograms = object?.programStats() ?? []
        if statsFD >= 0 {
            close(statsFD)
            statsFD = -1
        }
        let buildStart = Self.cpuSeconds(Self.usageOfProcess)
        let counts = recorder.counts
        stats.cpuSamples = counts.cpuSamples
        stats.offCPUIntervals = counts.offCPUIntervals
        stats.faultSamples = counts.faultSamples
        stats.faults = counts.faults
        stats.offCPUNanoseconds = counts.offCPUNanoseconds
        stats.samplesWithTraceContext = counts.withTraceContext
        stats.undecodableEvents = counts.undecodable
        stats.framePointerStacks = counts.framePointerStacks
        stats.dwarfStacks = counts.dwarfStacks
        stats.dwarfFailures = counts.dwarfFailures
        stats.joinedStacks = counts.joinedStacks
        stats.dwarfUnwinds = recorder.dwarfUnwindCounts
        stats.dwarfCrossCheckMismatchExamples = recorder.dwarfCrossCheckMismatchExamples
        stats.processesSeen = recorder.processesSeen
        stats.samplesWithPythonFrames = counts.withPythonFrames
        stats.samplesWithSwiftAsyncCallers = counts.withSwiftAsyncCallers
        stats.exitedTargets = exitedTargets
        stats.elapsedSeconds = stopUptime - startUptime
        reader = nil
        object = nil
        let endUnixNs = Self.nanoseconds(CLOCK_REALTIME)
        let kinds = ProfileKind.allCases.filter { config.kinds.contains($0) }
        var builder = ProfileBuilder(symbolizer: symbolizer)
        let metadata = { (kind: ProfileKind) in self.profileMetadata(kind, endUnixNs: endUnixNs) }
        // In continuous mode every sample went into a window: the recording carries the statistics only.
        var profiles = config.windowSeconds != nil ? [] : builder.build(from: recorder, kinds: kinds.filter { !$0.isMemory }, metadata: metadata)
        if let memory {
            // In continuous mode the last window took them: only the counts are wanted here.
            let (memoryProfiles, memoryStats) = memory.finish(kinds: config.windowSeconds != nil ? [] : kinds, symbolizer: symbolizer, metadata: metadata)
            profiles += memoryProfiles
            stats.memory = memoryStats
            self.memory = nil
        }
        stats.buildCPUSeconds = Self.cpuSeconds(Self.usageOfProcess) - buildStart
        stats.swiftAsyncStacksSpliced = builder.asyncMerger.statistics.spliced
        stats.swiftAsyncStacksRejected = builder.asyncMerger.statistics.rejected + builder.asyncMerger.statistics.funcletNotFound
        stats.residentAtEnd = ResidentMemory.read()
        stats.peakRSSBytes = stats.residentAtEnd?.peakBytes ?? Self.peakRSSBytesFromRusage()
        if let resolver = recorder.pythonResolver, resolver.statistics.unresolvedFrames > 0 {
            stats.addNote("\(resolver.statistics.unresolvedFrames) Python frames could not be named (\(resolver.statistics.lastError ?? "no reason recorded"))")
        }
        return AgentRecording(profiles: profiles, stats: stats)
    }

    /// The metadata of this run's profile of `kind`, ending at `endUnixNs`.
    private func profileMetadata(_ kind: ProfileKind, endUnixNs: UInt64) -> ProfileMetadata {
        metadata(kind, startUnixNs: startUnixNs, endUnixNs: endUnixNs, monotonicStartNs: startMonotonicNs,
                 dropped: Int64(clamping: stats.totalDrops))
    }

    /// The metadata of a profile of `kind` over one span (the run, or one window): what the config
    /// says about how `kind` was sampled, and the span's times and losses.
    private func metadata(_ kind: ProfileKind, startUnixNs: UInt64, endUnixNs: UInt64, monotonicStartNs: UInt64, dropped: Int64) -> ProfileMetadata {
        var metadata = ProfileMetadata(
            kind: kind, hz: kind == .cpu ? config.hz : 0, unwindMode: kind.isMemory ? .fp : config.unwind,
            service: config.service, version: config.version,
            startUnixNs: startUnixNs, endUnixNs: endUnixNs, monotonicStartNs: monotonicStartNs, dropped: dropped
        )
        if kind == .faults { metadata.faultPeriod = Int64(config.faultPeriod) }
        return metadata
    }

    /// A memory profile of the run so far, without stopping it: `.inuse` holds the sampled allocations
    /// live now, `.alloc` every one sampled since the start (continuous mode: since the last cut). Two in-use snapshots of one run diff into
    /// what grew between them. Built by the draining thread within a drain pass; nil when `kind` is not
    /// recorded or the run has ended.
    public func memorySnapshot(_ kind: ProfileKind) -> Profile? {
        guard kind.isMemory, config.kinds.contains(kind), drainThread != nil else { return nil }
        return memorySnapshots.request(kind) { wake.signal() }
    }

    // MARK: - draining

    private func drainLoop() {
        var lastTick = 0.0
        let cpuAtStart = Self.cpuSeconds(Self.usageOfThread)
        while true {
            // The BPF side sends no wakeups (BPF_RB_NO_WAKEUP): drain in batches, often enough that
            // the ring buffer (8 or 16 MiB by default) never fills at the configured rate.
            // Sleeps the drain interval, or less when a window's end or the run's end comes first; a
            // request (stop, cut, target change) wakes it at once.
            _ = wake.wait(timeout: .now() + sleepBeforeNextDrain(lastTick: lastTick))
            applyTargetChanges()
            reader?.consume()
            memory?.drain()
            takePendingPython()
            if let memory {
                memorySnapshots.serve { kind in
                    memory.snapshot(kind, symbolizer: symbolizer, metadata: profileMetadata(kind, endUnixNs: Self.nanoseconds(CLOCK_REALTIME)))
                }
            }
            let now = ProcessInfo.processInfo.systemUptime
            let requestedCut = withLock { () -> Bool in
                defer { cutRequested = false }
                return cutRequested
            }
            if now >= nextCutUptime || (requestedCut && config.windowSeconds != nil) {
                cutWindow(final: false)
                nextCutUptime += config.windowSeconds ?? .infinity
                // A requested cut starts a full window; so does a cut that fell behind.
                if nextCutUptime < now || requestedCut { nextCutUptime = now + (config.windowSeconds ?? .infinity) }
            }
            if now - lastTick >= 1 {
                lastTick = now
                checkTargets(now: now)
                retryUnlocatedTraceContexts()
                if let onProgress {
                    let drops = object?.counters().map { $0.ringBufferDrops + $0.offCPUMapFull } ?? 0
                    onProgress(AgentProgress(samples: recorder.samples.count, drops: drops, elapsedSeconds: now - startUptime,
                                             durationSeconds: config.durationSeconds))
                }
            }
            if shouldStop(now: now) { break }
        }
        stopUptime = ProcessInfo.processInfo.systemUptime
        let drainCPU = Self.cpuSeconds(Self.usageOfThread) - cpuAtStart
        let processCPU = Self.cpuSeconds(Self.usageOfProcess)
        withLock {
            stats.drainCPUSeconds = drainCPU
            if let mark = preparedMark {
                stats.steadyCPUSeconds = processCPU - mark.cpu
                stats.steadySeconds = stopUptime - mark.uptime
            }
        }
        memorySnapshots.close()
        drained.signal()
    }

    private func shouldStop(now: Double) -> Bool {
        lock.lock()
        let requested = stopRequested
        lock.unlock()
        if requested { return true }
        if let duration = config.durationSeconds, now - startUptime >= duration { return true }
        if config.windowSeconds != nil { return false }
        return !targetPids.isEmpty && exitedTargets.count == targetPids.count
    }

    /// Notes targets that exited: their samples and the symbols captured while alive are kept. In
    /// continuous mode an exited target leaves the BPF target set (its pid may be reused).
    private func checkTargets(now: Double) {
        for pid in withLock({ targetPids }) where !exitedTargets.contains(pid) && !ProcessStatus.isAlive(pid) {
            exitedTargets.append(pid)
            let samples = recorder.samples.lazy.filter { $0.labels.pid == pid }.count
            note(String(format: "target %d exited after %.1fs; its %d samples and symbols are kept", pid, now - startUptime, samples))
            if config.windowSeconds != nil {
                dropTarget(pid)
                exitedTargets.removeAll { $0 == pid }
            }
        }
    }

    /// Stops sampling `pid` in the kernel and forgets it as a target (draining thread).
    private func dropTarget(_ pid: Int32) {
        object?.removeTarget(pid: pid)
        memory?.detach(pid: pid)
        withLock { targetPids.removeAll { $0 == pid } }
    }

    /// Applies `addTarget`/`removeTarget` calls (draining thread).
    private func applyTargetChanges() {
        let changes = withLock {
            defer { pendingTargetChanges.removeAll() }
            return pendingTargetChanges
        }
        for change in changes {
            if !change.add {
                dropTarget(change.pid)
                continue
            }
            guard !withLock({ targetPids.contains(change.pid) }) else { continue }
            do {
                try object?.addTarget(pid: change.pid)
                withLock { targetPids.append(change.pid) }
                prepareInBackground(change.pid)
            } catch {
                note("\(error)")
                continue
            }
            attachMemory(change.pid)
        }
    }

    /// Continuous mode: probes a new target's allocator. One without a libc allocator (static, custom)
    /// keeps its other kinds, and the reason is noted.
    private func attachMemory(_ pid: Int32) {
        guard let memory else { return }
        do {
            try memory.attach(pid: pid)
        } catch {
            note("pid \(pid): no memory profile: \(error)")
        }
    }

    /// Closes the window that ends now: drains what is in the ring buffer, takes the samples taken
    /// before the cut, builds their profiles and hands them to `onWindow` (draining thread).
    private func cutWindow(final: Bool) {
        // The cut lies 2 ms in the past: a sample taken before it has surely reached the ring buffer
        // (BPF commits within microseconds), so draining now leaves none of them behind.
        let end = Self.nanoseconds(CLOCK_MONOTONIC) - 2_000_000
        reader?.consume()
        let memoryLost = memory?.drainForCut() ?? 0
        let samples = recorder.takeSamples(before: final ? UInt64.max : end)
        let counters = object?.counters() ?? countersAtCut
        let counts = recorder.counts
        let drops = (counters.ringBufferDrops &- countersAtCut.ringBufferDrops) &+ (counters.offCPUMapFull &- countersAtCut.offCPUMapFull)
            &+ memoryLost
        let unreadable = (counters.stackCopyFailures &- countersAtCut.stackCopyFailures)
            &+ UInt64(counts.dwarfFailures - recorderAtCut.dwarfFailures) &+ UInt64(counts.undecodable - recorderAtCut.undecodable)
        countersAtCut = counters
        recorderAtCut = counts
        let start = windowStartMonotonicNs
        windowStartMonotonicNs = end
        // Wall time anchored at every cut, not once at start: after a clock step (NTP, a VM resumed)
        // the next window already sits on the new wall time.
        let anchorMonotonic = Self.nanoseconds(CLOCK_MONOTONIC), anchorUnix = Self.nanoseconds(CLOCK_REALTIME)
        let unix = { (monotonic: UInt64) in anchorUnix &- (anchorMonotonic &- monotonic) }
        let kinds = ProfileKind.allCases.filter { config.kinds.contains($0) }
        let windowMetadata = { (kind: ProfileKind) in
            self.metadata(kind, startUnixNs: unix(start), endUnixNs: unix(end), monotonicStartNs: start, dropped: Int64(clamping: drops))
        }
        var profiles = windowBuilder.build(samples, recorder: recorder, kinds: kinds.filter { !$0.isMemory }, metadata: windowMetadata)
        if let memory { profiles += memory.windowProfiles(kinds: kinds, symbolizer: symbolizer, metadata: windowMetadata) }
        let pids = Set(profiles.flatMap { $0.samples.compactMap(\.labels.pid) })
        let window = AgentWindow(index: windowIndex, startMonotonicNs: start, endMonotonicNs: end, startUnixNs: unix(start), endUnixNs: unix(end),
                                 profiles: profiles, drops: drops, unreadable: unreadable, isFinal: final,
                                 commands: recorder.processes.filter { pids.contains($0.key) })
        windowIndex += 1
        onWindow?(window)
        releaseWindowState()
    }

    /// Keeps a continuous agent's memory to its working set: the recorder keeps only the stacks of
    /// pending samples, the symbol cache the stacks of the last two windows, and what was kept for
    /// a process is dropped one window after it is seen gone (its last samples, drained at the cut
    /// after its exit, are symbolized first).
    private func releaseWindowState() {
        windowBuilder.endWindow()
        recorder.compactStacks()
        let gone = Set(recorder.processes.keys.filter { !ProcessStatus.isAlive($0) })
        let forgotten = goneAtLastCut.intersection(gone)
        recorder.forget(pids: forgotten)
        symbolizer.forget(pids: forgotten)
        for pid in forgotten { object?.forget(pid: pid) }
        memory?.forget(pids: forgotten)
        goneAtLastCut = gone.subtracting(forgotten)
    }

    /// The drain interval, cut short by the next window's cut, the run's planned end, or the next 1 s tick.
    private func sleepBeforeNextDrain(lastTick: Double) -> Double {
        let now = ProcessInfo.processInfo.systemUptime
        var seconds = config.drainIntervalSeconds
        seconds = min(seconds, nextCutUptime - now)
        if let duration = config.durationSeconds { seconds = min(seconds, startUptime + duration - now) }
        seconds = min(seconds, lastTick + 1 - now)
        return max(seconds, 0.001)
    }

    // MARK: - setup

    private func bpfSettings() -> flamelab_settings {
        var settings = flamelab_settings()
        if case .pids = config.targets { settings.filter_pids = 1 }
        settings.copy_user_stack = Self.stackCopy(config.unwind).rawValue
        settings.python = config.python == .auto ? 1 : 0
        settings.trace_context = config.traceContext ? 1 : 0
        settings.min_block_ns = config.minBlockNs
        settings.swift_async = config.swiftAsync ? 1 : 0
        return settings
    }

    /// How much user stack a sample copies in `mode`: auto copies only up to the frame record rbp points
    /// to, which is all DWARF needs to reach the first frame that keeps its frame pointer.
    static func stackCopy(_ mode: UnwindMode) -> flamelab_stack_copy {
        switch mode {
        case .fp: return FLAMELAB_STACK_COPY_NONE
        case .dwarf: return FLAMELAB_STACK_COPY_FULL
        case .auto: return FLAMELAB_STACK_COPY_BOUNDED
        }
    }

    /// Snapshots symbols and maps while `pid` is alive, and publishes its trace-context offset and
    /// (for CPython 3.11-3.13) its interpreter to BPF. Runs before the draining thread starts.
    private func prepareProcess(_ pid: Int32) {
        if !publishTraceContextOffset(pid) { unlocatedTraceContexts.add(pid) }
        if config.python == .auto, let info = detectPython(pid) { recorder.pythonResolver?.register(info) }
        if config.swiftAsync { publishSwiftAsync(pid) }
        symbolizer.prepare(pid: pid)
        recorder.prepare(pid: pid)
    }

    /// Whole-system mode: a process seen for the first time is prepared on the preparation queue, so
    /// that reading its ELF files never stalls the draining thread (samples keep flowing meanwhile).
    private func prepareInBackground(_ pid: Int32) {
        // Two queues: the trace-context location is quick (each ELF file read once, cached per file) and
        // makes the process's next samples carry ids; Python detection and snapshotting every ELF
        // file of the process can take seconds.
        let context = BlockOperation { [weak self] in
            guard let self, self.shouldPrepare(pid, countIfGone: false) else { return }
            self.publishTraceContextOffset(pid)
        }
        // Small executables first: a burst of huge compilers must not delay a service's trace ids.
        var exe = stat()
        if stat("/proc/\(pid)/exe", &exe) == 0, exe.st_size > 64 << 20 { context.queuePriority = .low }
        contextPreparation.addOperation(context)
        preparation.async { [weak self] in
            guard let self, self.shouldPrepare(pid, countIfGone: true) else { return }
            // Python detection may read large ELF files: it waits here, not in front of the offsets.
            if self.config.python == .auto, let info = self.detectPython(pid) {
                // The resolver belongs to the draining thread: it takes the info at its next poll.
                self.withLock { self.pendingPython.append(info) }
            }
            if self.config.swiftAsync { self.publishSwiftAsync(pid) }
            self.symbolizer.prepare(pid: pid)
            self.recorder.prepareUnwinding(pid: pid)
        }
    }

    /// False once the run is finishing, or when the process is already gone (then counted).
    private func shouldPrepare(_ pid: Int32, countIfGone: Bool) -> Bool {
        if withLock({ preparationCancelled }) { return false }
        if ProcessStatus.isAlive(pid) { return true }
        if countIfGone { withLock { stats.processesGoneBeforePreparation += 1 } }
        return false
    }

    /// Finds where `pid` publishes its OpenTelemetry thread context (OTEP 4947) and tells BPF. True when found.
    @discardableResult
    private func publishTraceContextOffset(_ pid: Int32, quiet: Bool = false) -> Bool {
        do {
            guard let location = try traceContextExports.location(pid: pid) else { return false }
            try object?.setTraceContextLocation(pid: pid, location: location)
            return true
        } catch {
            if !quiet, ProcessStatus.isAlive(pid) { note("no trace ids for pid \(pid) yet: \(error)") }
            return false
        }
    }

    /// Explicit targets without a location are tried again when their mapped files change (a library
    /// defining the variable dlopen'ed after the start), on the context queue: never on the draining thread.
    private func retryUnlocatedTraceContexts() {
        let operation = BlockOperation { [weak self] in
            guard let self, !self.withLock({ self.preparationCancelled }) else { return }
            for pid in self.unlocatedTraceContexts.takeChanged() where !self.publishTraceContextOffset(pid, quiet: true) {
                self.unlocatedTraceContexts.add(pid)
            }
        }
        contextPreparation.addOperation(operation)
    }

    /// Tells the Swift async walker where `pid`'s concurrency runtime calls funclets, once it is checked
    /// (`SwiftConcurrencyRuntime.inspect`). Processes without the runtime are left out.
    private func publishSwiftAsync(_ pid: Int32) {
        do {
            guard let runtime = try SwiftConcurrencyRuntime.inspect(pid: pid) else { return }
            var key = UInt32(bitPattern: pid)
            var value = flamelab_swift_async_proc(executor_start: runtime.executorStart, executor_end: runtime.executorEnd)
            try object?.update(map: .swiftAsyncProcesses, key: &key, value: &value, what: "register Swift async process \(pid)")
            withLock { stats.swiftAsyncProcessCount += 1 }
        } catch {
            if ProcessStatus.isAlive(pid) { note("pid \(pid): no Swift async callers: \(error)") }
        }
    }

    /// Registers a CPython 3.11-3.13 process with the BPF walker (its `_PyRuntime` and its version's
    /// offsets) and returns its info; another version gets its message, once.
    private func detectPython(_ pid: Int32) -> PythonProcessInfo? {
        let detection = PythonProcessInfo.inspect(pid: pid)
        switch detection {
        case .supported(let info):
            var key = UInt32(bitPattern: pid)
            var value = flamelab_py_proc(runtime: info.runtimeAddress, reserved: 0, offsets: flamelab_py_offsets(info.walkerOffsets))
            do {
                try object?.update(map: .pythonProcesses, key: &key, value: &value, what: "register Python process \(pid)")
                withLock {
                    stats.pythonProcessCount += 1
                    if stats.pythonProcesses.count < AgentRunStats.listedProcessLimit { stats.pythonProcesses.append(pid) }
                }
                return info
            } catch {
                note("\(error)")
            }
        case .unsupported(_, let message):
            note("pid \(pid): \(message)")
        case .failed(let message):
            if ProcessStatus.isAlive(pid) { note("pid \(pid): \(message); native frames only") }
        case .notPython:
            break
        }
        return nil
    }

    /// Hands Python processes detected in the background to the draining thread's resolver.
    private func takePendingPython() {
        let pending: [PythonProcessInfo] = withLock {
            defer { pendingPython.removeAll() }
            return pendingPython
        }
        for info in pending { recorder.pythonResolver?.register(info) }
    }

    private func note(_ text: String) {
        withLock { stats.addNote(text) }
    }

    private func withLock<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    private func readCounters() {
        guard let counters = object?.counters() else { return }
        stats.ringBufferDrops = counters.ringBufferDrops
        stats.offCPUMapFull = counters.offCPUMapFull
        stats.tornTraceContexts = counters.tornTraceContexts
        stats.stackCopyFailures = counters.stackCopyFailures
        stats.shortBlocks = counters.shortBlocks
        stats.emittedEvents = counters.cpuSamples &+ counters.offCPUSamples &+ counters.faultSamples
    }

    /// getrusage's RUSAGE_SELF and RUSAGE_THREAD (the latter is not imported without _GNU_SOURCE).
    private static let usageOfProcess: __rusage_who_t = 0
    private static let usageOfThread: __rusage_who_t = 1

    /// User + system CPU seconds of the process (RUSAGE_SELF) or the calling thread (RUSAGE_THREAD).
    private static func cpuSeconds(_ who: __rusage_who_t) -> Double {
        var usage = rusage()
        getrusage(who, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// Peak resident memory from getrusage, when /proc/self/status cannot be read (`ResidentMemory`
    /// reads VmHWM there). Linux carries `ru_maxrss` over an exec from the spawning process (posix_spawn
    /// shares its memory until the exec), so it is only the fallback.
    private static func peakRSSBytesFromRusage() -> Int {
        var usage = rusage()
        getrusage(Self.usageOfProcess, &usage)
        return usage.ru_maxrss * 1024
    }

    private static func nanoseconds(_ clock: clockid_t) -> UInt64 {
        var now = timespec()
        clock_gettime(clock, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
