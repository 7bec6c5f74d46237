import CBPF
import Foundation
import ProfileModel
import Symbolize

/// The flamelab eBPF agent: loads profiler.bpf.o, attaches the CPU sampler and the off-CPU hook,
/// drains the ring buffer on its own thread, and turns the events into one `Profile` per kind.
///
/// Use `record()` for a whole run, or `start()`, then `requestStop()` (e.g. on Ctrl-C) and `finish()`.
public final class Agent: @unchecked Sendable {
    public let config: AgentConfig
    /// Where the live progress line goes.
    public var progress: ProgressOutput = .automatic

    private let symbolizer: Symbolizer
    private let recorder: SampleRecorder
    private var object: ProfilerObject?
    private var reader: RingBufferReader?
    private var stats = AgentRunStats()
    private var drainThread: Thread?
    private let drained = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var stopRequested = false
    private var startUptime = 0.0
    private var stopUptime = 0.0
    private var startUnixNs: UInt64 = 0
    private var targetPids: [Int32] = []
    private var exitedTargets: [Int32] = []

    public init(config: AgentConfig, symbolizer: Symbolizer = Symbolizer()) {
        self.config = config
        self.symbolizer = symbolizer
        recorder = SampleRecorder(unwind: config.unwind, python: config.python)
        stats.unwindMode = config.unwind.rawValue
    }

    /// Records for the configured duration (or until every target exited / `requestStop()`).
    public func record() throws -> AgentRecording {
        try start()
        return finish()
    }

    /// Loads and attaches the programs and starts draining. Throws `AgentError` with the reason.
    public func start() throws {
        try config.validate()
        try Preflight.check(config)
        let path = try BPFObjectLocator.locate("profiler", explicitDirectory: config.bpfDirectory)
        let loaded = try ProfilerObject.load(
            path: path, settings: bpfSettings(), ringBufferBytes: config.ringBufferBytes,
            cpu: config.kinds.contains(.cpu), offCPU: config.kinds.contains(.offcpu)
        )
        object = loaded
        if case .pids(let pids) = config.targets {
            targetPids = Array(Set(pids)).sorted()
            for pid in targetPids {
                try loaded.addTarget(pid: pid)
                prepareProcess(pid)
            }
        }
        recorder.onNewProcess = { [unowned self] pid in
            if case .all = self.config.targets { self.prepareProcess(pid) }
        }
        reader = try RingBufferReader(fd: loaded.mapFD("flamelab_events")) { [unowned self] bytes in
            if let event = RawEvent.decode(bytes) { self.recorder.record(event) } else { self.recorder.countUndecodable() }
        }
        if config.kinds.contains(.cpu) { stats.cpusSampled = try loaded.attachCPUSampler(hz: config.hz) }
        if config.kinds.contains(.offcpu) {
            try loaded.attachOffCPU()
            stats.schedSwitchHook = loaded.schedSwitchHook?.rawValue
            if loaded.schedSwitchHook != .btfTracepoint {
                stats.notes.append("off-cpu attached through the \(loaded.schedSwitchHook?.rawValue ?? "?") fallback: tp_btf/sched_switch was refused")
            }
        }
        startUptime = ProcessInfo.processInfo.systemUptime
        startUnixNs = Self.unixNanoseconds()
        let thread = Thread { [unowned self] in self.drainLoop() }
        thread.stackSize = 8 << 20
        thread.name = "flamelab-agent-drain"
        drainThread = thread
        thread.start()
    }

    /// Asks the draining thread to stop at its next poll (safe from any thread).
    public func requestStop() {
        lock.lock()
        stopRequested = true
        lock.unlock()
    }

    /// Waits for the run to end, detaches every program, drains what is left and builds the profiles.
    public func finish() -> AgentRecording {
        if drainThread != nil {
            drained.wait()
            drainThread = nil
        }
        object?.detachAll()
        reader?.consume()
        readCounters()
        let counts = recorder.counts
        stats.cpuSamples = counts.cpuSamples
        stats.offCPUIntervals = counts.offCPUIntervals
        stats.offCPUNanoseconds = counts.offCPUNanoseconds
        stats.samplesWithTraceContext = counts.withTraceContext
        stats.undecodableEvents = counts.undecodable
        stats.framePointerStacks = counts.framePointerStacks
        stats.dwarfStacks = counts.dwarfStacks
        stats.dwarfFailures = counts.dwarfFailures
        stats.processesSeen = recorder.processes.count
        stats.samplesWithPythonFrames = counts.withPythonFrames
        stats.exitedTargets = exitedTargets
        stats.elapsedSeconds = stopUptime - startUptime
        reader = nil
        object = nil
        let endUnixNs = Self.unixNanoseconds()
        let kinds = ProfileKind.allCases.filter { config.kinds.contains($0) }
        var builder = ProfileBuilder(symbolizer: symbolizer)
        let profiles = builder.build(from: recorder, kinds: kinds) { kind in
            ProfileMetadata(
                kind: kind, hz: kind == .cpu ? self.config.hz : 0, unwindMode: self.config.unwind.rawValue,
                service: self.config.service, version: self.config.version,
                startUnixNs: self.startUnixNs, endUnixNs: endUnixNs, dropped: Int64(clamping: self.stats.totalDrops)
            )
        }
        if let resolver = recorder.pythonResolver, resolver.statistics.unresolvedFrames > 0 {
            stats.notes.append("\(resolver.statistics.unresolvedFrames) Python frames could not be named (\(resolver.statistics.lastError ?? "no reason recorded"))")
        }
        return AgentRecording(profiles: profiles, stats: stats)
    }

    // MARK: - draining

    private func drainLoop() {
        var line = ProgressLine(output: progress)
        var lastTick = 0.0
        while true {
            reader?.poll(timeoutMs: 100)
            let now = ProcessInfo.processInfo.systemUptime
            if now - lastTick >= 0.5 {
                lastTick = now
                checkTargets(now: now)
                let counters = object?.counters() ?? []
                let drops = counters.count > 3 ? counters[Int(FLAMELAB_COUNTER_RINGBUF_DROPS.rawValue)] + counters[Int(FLAMELAB_COUNTER_OFFCPU_MAP_FULL.rawValue)] : 0
                line.update(samples: recorder.samples.count, drops: drops, elapsed: now - startUptime, duration: config.durationSeconds)
            }
            if shouldStop(now: now) { break }
        }
        stopUptime = ProcessInfo.processInfo.systemUptime
        line.finish()
        drained.signal()
    }

    private func shouldStop(now: Double) -> Bool {
        lock.lock()
        let requested = stopRequested
        lock.unlock()
        if requested { return true }
        if let duration = config.durationSeconds, now - startUptime >= duration { return true }
        return !targetPids.isEmpty && exitedTargets.count == targetPids.count
    }

    /// Notes targets that exited: their samples and the symbols captured while alive are kept.
    private func checkTargets(now: Double) {
        for pid in targetPids where !exitedTargets.contains(pid) && !Preflight.isAlive(pid) {
            exitedTargets.append(pid)
            let samples = recorder.samples.lazy.filter { $0.labels.pid == pid }.count
            stats.notes.append(String(format: "target %d exited after %.1fs; its %d samples and symbols are kept", pid, now - startUptime, samples))
        }
    }

    // MARK: - setup

    private func bpfSettings() -> flamelab_settings {
        var settings = flamelab_settings()
        if case .pids = config.targets { settings.filter_pids = 1 }
        settings.copy_user_stack = config.unwind.copiesUserStack ? 1 : 0
        settings.python = config.python == .auto ? 1 : 0
        settings.trace_context = 1
        settings.min_block_ns = config.minBlockNs
        return settings
    }

    /// Snapshots symbols and maps while `pid` is alive, and publishes its trace-context offset and
    /// (for CPython 3.11) its interpreter to BPF.
    private func prepareProcess(_ pid: Int32) {
        symbolizer.prepare(pid: pid)
        recorder.prepare(pid: pid)
        if config.python == .auto { registerPython(pid) }
        do {
            if let offset = try TraceContextLocator.threadPointerOffset(executablePath: "/proc/\(pid)/exe") {
                try object?.setTraceContextOffset(pid: pid, offset: offset)
            }
        } catch {
            stats.notes.append("no trace ids for pid \(pid): \(error)")
        }
    }

    /// Registers a CPython 3.11 process with the BPF walker; another version gets its message, once.
    private func registerPython(_ pid: Int32) {
        let detection = PythonProcessInfo.inspect(pid: pid)
        if case .supported(let info) = detection {
            var key = UInt32(bitPattern: pid)
            var value = flamelab_py_proc(runtime: info.runtimeAddress, reserved: 0)
            do {
                try object?.update(map: "flamelab_py_procs", key: &key, value: &value, what: "register Python process \(pid)")
                recorder.pythonResolver?.register(info)
                stats.pythonProcesses.append(pid)
            } catch {
                stats.notes.append("\(error)")
            }
        } else if let message = detection.message {
            stats.notes.append("pid \(pid): \(message); native frames only")
        }
    }

    private func readCounters() {
        guard let counters = object?.counters(), counters.count >= Int(FLAMELAB_COUNTER_COUNT.rawValue) else { return }
        stats.ringBufferDrops = counters[Int(FLAMELAB_COUNTER_RINGBUF_DROPS.rawValue)]
        stats.offCPUMapFull = counters[Int(FLAMELAB_COUNTER_OFFCPU_MAP_FULL.rawValue)]
        stats.tornTraceContexts = counters[Int(FLAMELAB_COUNTER_TORN_CONTEXT.rawValue)]
        stats.stackCopyFailures = counters[Int(FLAMELAB_COUNTER_STACK_COPY_FAILS.rawValue)]
        stats.shortBlocks = counters[Int(FLAMELAB_COUNTER_OFFCPU_SHORT.rawValue)]
    }

    private static func unixNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
