import LabRuntime
import ProfileModel

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

    /// The peer tool behind a peer setting (nil for flamelab).
    public var peer: PeerTool? {
        switch self {
        case .flamelab: return nil
        case .perfFramePointer: return .perfFramePointer
        case .perfDwarf: return .perfDwarf
        case .bpftrace: return .bpftrace
        }
    }

    /// What was run, as a reader would type it.
    public func commandLine(pid: Int32, hz: Int) -> String {
        switch self {
        case .flamelab(let unwind, let python): return AgentCommandLine.commandLine(pid: pid, hz: hz, unwind: unwind, python: python)
        default: return peer!.commandLine(pid: pid, hz: hz)
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
