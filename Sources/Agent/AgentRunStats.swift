import ProfileModel
import Symbolize

/// What happened during one recording: counts, losses, and how it was taken. Reported per run.
public struct AgentRunStats: Sendable, Equatable, Codable {
    /// CPU samples and off-CPU intervals received by the agent.
    public var cpuSamples = 0
    public var offCPUIntervals = 0
    /// Page-fault samples received, and the faults they stand for.
    public var faultSamples = 0
    public var faults: UInt64 = 0
    /// Events the BPF programs emitted into the ring buffer (CPU samples and off-CPU intervals), by
    /// their own counters: what was received plus what the ring buffer dropped.
    public var emittedEvents: UInt64 = 0
    public var offCPUNanoseconds: UInt64 = 0
    /// Samples carrying a trace id.
    public var samplesWithTraceContext = 0
    /// Events lost because the ring buffer was full (counted in BPF).
    public var ringBufferDrops: UInt64 = 0
    /// Switch-outs not recorded because the off-CPU start map was full (counted in BPF).
    public var offCPUMapFull: UInt64 = 0
    /// Thread-context pointers (otel_thread_ctx_v1) to a record that could not be read or whose `valid`
    /// byte was not 1 (a writer mid-update): those samples carry no ids (counted in BPF).
    public var tornTraceContexts: UInt64 = 0
    /// User stack copies that got no byte (DWARF modes).
    public var stackCopyFailures: UInt64 = 0
    /// Off-CPU intervals shorter than the minimum block, not recorded.
    public var shortBlocks: UInt64 = 0
    /// Events the agent could not decode.
    public var undecodableEvents = 0
    /// `fp`, `dwarf` or `auto`.
    public var unwindMode: UnwindMode = .fp
    /// In `auto`/`dwarf`: stacks taken from the FP walk, from DWARF, and DWARF unwinds that failed
    /// (those keep the FP walk).
    public var framePointerStacks = 0
    public var dwarfStacks = 0
    public var dwarfFailures = 0
    /// DWARF stacks unwound from a bounded copy and completed by the frame-pointer walk (auto).
    public var joinedStacks = 0
    /// How the DWARF stacks were unwound: compiled rules (fast) or libdwfl (fallback).
    public var dwarfUnwinds = DwarfUnwindCounts()
    /// With `AgentConfig.crossCheckDwarf`: the first samples where the two unwinders disagreed.
    public var dwarfCrossCheckMismatchExamples: [String] = []
    /// How off-CPU was attached (`tp_btf`, `raw_tp`, `tracepoint`), nil without off-CPU.
    public var schedSwitchHook: String?
    public var cpusSampled = 0
    /// Targets that exited during the run: their samples and symbols are kept.
    public var exitedTargets: [Int32] = []
    /// Processes registered with the CPython walker (the first `listedProcessLimit`; a day of
    /// `--all` registers many), how many in all, and samples that carried Python frames.
    public var pythonProcesses: [Int32] = []
    public var pythonProcessCount = 0
    /// How many pids `pythonProcesses` keeps.
    public static let listedProcessLimit = 64
    public var samplesWithPythonFrames = 0
    /// Processes registered with the Swift async walker, samples whose event carried async callers,
    /// and stacks that gained them (the rest were dropped as implausible; see SwiftAsyncStackMerger).
    public var swiftAsyncProcessCount = 0
    public var samplesWithSwiftAsyncCallers = 0
    public var swiftAsyncStacksSpliced = 0
    public var swiftAsyncStacksRejected = 0
    /// Whole-system mode: processes that exited before the agent could snapshot their symbols.
    public var processesGoneBeforePreparation = 0
    /// Processes seen in samples.
    public var processesSeen = 0
    /// Seconds from attach to detach.
    public var elapsedSeconds = 0.0
    /// Per BPF program: runs and time spent (time measured when `AgentConfig.measureBPFTime` is on).
    public var bpfPrograms: [BPFProgramStats] = []
    /// CPU seconds of the agent's draining thread while recording (decode, unwind, Python names).
    public var drainCPUSeconds = 0.0
    /// After `Agent.waitUntilPrepared`: the whole agent process's CPU seconds from then to the stop,
    /// over `steadySeconds` of recording (its steady-state cost, start-up and profile building excluded).
    public var steadyCPUSeconds: Double?
    public var steadySeconds: Double?
    /// CPU seconds the agent spent after the run building the profiles (symbolization).
    public var buildCPUSeconds = 0.0
    /// Memory kinds: the allocator probes' counts and losses; nil without them.
    public var memory: MemoryRunStats?
    /// The agent process's peak resident memory, bytes.
    public var peakRSSBytes = 0
    /// Its resident memory once the profiles are built, split into anonymous pages (its own: heap,
    /// stacks, the ring buffer) and clean file pages (code of its executable and the shared Swift
    /// runtime and Foundation, shared with every process that maps them). Nil when unreadable.
    public var residentAtEnd: ResidentMemory?
    /// Human-readable remarks (fallbacks taken, targets exited, Python detection results).
    public private(set) var notes: [String] = []
    /// Notes not kept once `noteLimit` were: a long-lived agent sees targets come and go for weeks.
    public private(set) var notesNotKept = 0
    public static let noteLimit = 200

    public init() {}

    /// Adds a note, or counts it once `noteLimit` notes are kept.
    public mutating func addNote(_ text: String) {
        if notes.count < Self.noteLimit { notes.append(text) } else { notesNotKept += 1 }
    }

    /// All losses that make a profile incomplete.
    public var totalDrops: UInt64 { ringBufferDrops + offCPUMapFull + UInt64(undecodableEvents) }

    /// A one-paragraph summary for the terminal.
    public var summary: String {
        var parts = ["\(cpuSamples) cpu samples", "\(offCPUIntervals) off-cpu intervals"]
        if faultSamples > 0 { parts.append("\(faultSamples) page-fault samples (\(faults) faults)") }
        parts.append("\(totalDrops) dropped (ring buffer \(ringBufferDrops), off-cpu map \(offCPUMapFull))")
        parts.append("\(samplesWithTraceContext) with trace id, \(tornTraceContexts) torn")
        parts.append("unwind \(unwindMode.rawValue)" + (unwindMode == .fp ? "" : " (fp \(framePointerStacks), dwarf \(dwarfStacks) of which joined to fp \(joinedStacks), dwarf failed \(dwarfFailures); \(dwarfUnwinds.summary))"))
        if let hook = schedSwitchHook { parts.append("off-cpu via \(hook)") }
        if !pythonProcesses.isEmpty { parts.append("python: \(pythonProcessCount) processes, \(samplesWithPythonFrames) samples with Python frames") }
        if swiftAsyncProcessCount > 0 {
            parts.append("swift async: \(swiftAsyncProcessCount) processes, \(samplesWithSwiftAsyncCallers) samples with callers, "
                         + "\(swiftAsyncStacksSpliced) stacks spliced, \(swiftAsyncStacksRejected) rejected")
        }
        if let memory { parts.append(memory.summary) }
        if processesGoneBeforePreparation > 0 { parts.append("\(processesGoneBeforePreparation) processes exited before their symbols were read") }
        for program in bpfPrograms where program.runTimeNs > 0 {
            parts.append(String(format: "bpf %@ %.2f us/run over %llu runs", program.name, program.averageMicroseconds, program.runCount))
        }
        parts.append(String(format: "agent cpu %.3fs draining + %.3fs building, peak rss %.1f MB", drainCPUSeconds, buildCPUSeconds, Double(peakRSSBytes) / 1e6))
        if let resident = residentAtEnd {
            parts.append(String(format: "at the end %.1f MB anonymous + %.1f MB file-backed", Double(resident.anonymousBytes) / 1e6, Double(resident.fileBytes) / 1e6))
        }
        if let cpu = steadyCPUSeconds, let seconds = steadySeconds, seconds > 0 {
            parts.append(String(format: "steady-state agent cpu %.2f ms/s", cpu * 1000 / seconds))
        }
        parts.append(String(format: "%.1fs", elapsedSeconds))
        return parts.joined(separator: ", ")
    }
}

/// One BPF program's run statistics (the kernel's `run_cnt` / `run_time_ns`).
public struct BPFProgramStats: Sendable, Equatable, Codable {
    public var name: String
    public var runCount: UInt64
    public var runTimeNs: UInt64

    public init(name: String, runCount: UInt64, runTimeNs: UInt64) {
        self.name = name
        self.runCount = runCount
        self.runTimeNs = runTimeNs
    }

    /// Mean time per run in microseconds (0 without runs).
    public var averageMicroseconds: Double { runCount == 0 ? 0 : Double(runTimeNs) / Double(runCount) / 1000 }
}
