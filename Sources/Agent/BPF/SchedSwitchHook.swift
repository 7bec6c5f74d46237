/// How the off-CPU program is attached to the scheduler, best first. Each run records which one.
public enum SchedSwitchHook: String, Sendable, CaseIterable {
    /// BTF-typed raw tracepoint (`tp_btf/sched_switch`): needs kernel BTF, no tracefs.
    case btfTracepoint = "tp_btf"
    /// Raw tracepoint (`raw_tp/sched_switch`).
    case rawTracepoint = "raw_tp"
    /// Classic tracepoint (`tracepoint/sched/sched_switch`): needs tracefs mounted.
    case tracepoint

    /// The BPF program implementing this hook in profiler.bpf.c.
    var program: ProfilerProgram {
        switch self {
        case .btfTracepoint: return .switchBTF
        case .rawTracepoint: return .switchRaw
        case .tracepoint: return .switchTracepoint
        }
    }
}
