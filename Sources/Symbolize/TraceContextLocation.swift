/// Where a process's `otel_thread_ctx_v1` pointer lives, relative to a thread's thread pointer
/// (x86_64 fsbase): what the BPF reader needs (bpf/thread_context.h, `struct flamelab_tls_location`).
public enum TraceContextLocation: Sendable, Equatable {
    /// In the static TLS block: the variable is at `thread pointer + offset` (offset < 0 on x86_64).
    case threadPointer(offset: Int64)
    /// In a dynamically allocated TLS block: at `dtv[moduleID] + offset`, through the thread's DTV.
    case dynamicThreadVector(moduleID: UInt64, offset: UInt64)
}
