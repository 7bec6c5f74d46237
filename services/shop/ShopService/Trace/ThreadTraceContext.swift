import CTraceContext

/// Publishes the current request's trace context on the calling thread, where the eBPF agent reads it
/// through the thread pointer (see flamelab_trace_context.h). Plain stores: no syscall per request.
public enum ThreadTraceContext {
    /// Runs `body` with `context` published on this thread, and clears it afterwards.
    @inline(__always)
    public static func with<T>(_ context: TraceContext, _ body: () throws -> T) rethrows -> T {
        publish(context)
        defer { flamelab_trace_context_clear() }
        return try body()
    }

    public static func publish(_ context: TraceContext) {
        context.traceID.withUnsafeBufferPointer { trace in
            context.spanID.withUnsafeBufferPointer { span in
                flamelab_trace_context_set(trace.baseAddress, span.baseAddress)
            }
        }
    }

    public static func clear() {
        flamelab_trace_context_clear()
    }

    /// The trace id published on this thread, as hex, or nil.
    public static func currentTraceIDHex() -> String? {
        var trace = [UInt8](repeating: 0, count: 16)
        var span = [UInt8](repeating: 0, count: 8)
        let active = flamelab_trace_context_get(&trace, &span)
        return active == 1 ? HexBytes.encode(trace) : nil
    }
}
