import Agent

/// One profiler configuration of the polyglot comparison: a flamelab agent setting, or a peer tool.
public enum ProfilerSetup: Sendable, Hashable {
    /// The flamelab agent with this unwinder, with (`.auto`) or without (`.off`) the Python walker.
    case flamelab(unwind: UnwindMode, python: PythonMode)
    /// `perf record -g` (frame pointers).
    case perfFramePointer
    /// `perf record --call-graph dwarf`.
    case perfDwarf
    /// bpftrace `profile:hz` with `ustack` and `kstack`.
    case bpftrace

    /// Every flamelab setting first (FP, DWARF, auto; walker off then on), then the peers.
    public static let all: [ProfilerSetup] =
        [UnwindMode.fp, .dwarf, .auto].flatMap { unwind in [PythonMode.off, .auto].map { ProfilerSetup.flamelab(unwind: unwind, python: $0) } }
        + [.perfFramePointer, .perfDwarf, .bpftrace]

    /// Short stable label for tables and JSON, e.g. `flamelab fp +py`.
    public var label: String {
        switch self {
        case .flamelab(let unwind, let python): return "flamelab \(unwind.rawValue)" + (python == .auto ? " +py" : "")
        case .perfFramePointer: return "perf -g"
        case .perfDwarf: return "perf dwarf"
        case .bpftrace: return "bpftrace"
        }
    }

    /// What was run, as a reader would type it (`PID` and `HZ` substituted by the caller's values).
    public func commandLine(pid: Int32, hz: Int) -> String {
        switch self {
        case .flamelab(let unwind, let python): return "lab record --pid \(pid) --hz \(hz) --unwind \(unwind.rawValue) --python \(python.rawValue)"
        case .perfFramePointer: return "perf record -F \(hz) -g -p \(pid)"
        case .perfDwarf: return "perf record -F \(hz) --call-graph dwarf -p \(pid)"
        case .bpftrace: return "bpftrace -e 'profile:hz:\(hz) /pid == \(pid)/ { @[ustack(perf), kstack(perf)] = count(); }'"
        }
    }

    /// Whether the configuration is flamelab's own agent.
    public var isFlamelab: Bool {
        if case .flamelab = self { return true }
        return false
    }

    /// Whether the Python walker was on.
    public var walksPython: Bool {
        if case .flamelab(_, let python) = self { return python == .auto }
        return false
    }
}
