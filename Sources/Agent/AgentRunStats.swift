/// What happened during one recording: counts, losses, and how it was taken. Reported per run.
public struct AgentRunStats: Sendable, Equatable {
    /// CPU samples and off-CPU intervals received by the agent.
    public var cpuSamples = 0
    public var offCPUIntervals = 0
    public var offCPUNanoseconds: UInt64 = 0
    /// Samples carrying a trace id.
    public var samplesWithTraceContext = 0
    /// Events lost because the ring buffer was full (counted in BPF).
    public var ringBufferDrops: UInt64 = 0
    /// Switch-outs not recorded because the off-CPU start map was full (counted in BPF).
    public var offCPUMapFull: UInt64 = 0
    /// Trace contexts read mid-write: those samples carry no ids (counted in BPF).
    public var tornTraceContexts: UInt64 = 0
    /// User stack copies that got no byte (DWARF modes).
    public var stackCopyFailures: UInt64 = 0
    /// Off-CPU intervals shorter than the minimum block, not recorded.
    public var shortBlocks: UInt64 = 0
    /// Events the agent could not decode.
    public var undecodableEvents = 0
    /// `fp`, `dwarf` or `auto`.
    public var unwindMode = "fp"
    /// In `auto`/`dwarf`: stacks taken from the FP walk, from DWARF, and DWARF unwinds that failed
    /// (those keep the FP walk).
    public var framePointerStacks = 0
    public var dwarfStacks = 0
    public var dwarfFailures = 0
    /// How off-CPU was attached (`tp_btf`, `raw_tp`, `tracepoint`), nil without off-CPU.
    public var schedSwitchHook: String?
    public var cpusSampled = 0
    /// Targets that exited during the run: their samples and symbols are kept.
    public var exitedTargets: [Int32] = []
    /// Processes registered with the CPython 3.11 walker, and samples that carried Python frames.
    public var pythonProcesses: [Int32] = []
    public var samplesWithPythonFrames = 0
    /// Processes seen in samples.
    public var processesSeen = 0
    /// Seconds from attach to detach.
    public var elapsedSeconds = 0.0
    /// Human-readable remarks (fallbacks taken, targets exited, Python detection results).
    public var notes: [String] = []

    public init() {}

    /// All losses that make a profile incomplete.
    public var totalDrops: UInt64 { ringBufferDrops + offCPUMapFull + UInt64(undecodableEvents) }

    /// A one-paragraph summary for the terminal.
    public var summary: String {
        var parts = ["\(cpuSamples) cpu samples", "\(offCPUIntervals) off-cpu intervals"]
        parts.append("\(totalDrops) dropped (ring buffer \(ringBufferDrops), off-cpu map \(offCPUMapFull))")
        parts.append("\(samplesWithTraceContext) with trace id, \(tornTraceContexts) torn")
        parts.append("unwind \(unwindMode)" + (unwindMode == "fp" ? "" : " (fp \(framePointerStacks), dwarf \(dwarfStacks), dwarf failed \(dwarfFailures))"))
        if let hook = schedSwitchHook { parts.append("off-cpu via \(hook)") }
        if !pythonProcesses.isEmpty { parts.append("python: \(pythonProcesses.count) processes, \(samplesWithPythonFrames) samples with Python frames") }
        parts.append(String(format: "%.1fs", elapsedSeconds))
        return parts.joined(separator: ", ")
    }
}
