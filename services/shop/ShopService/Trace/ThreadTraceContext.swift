import CTraceContext
import Foundation
import W3CTraceContext

/// Publishes the current request's trace context on the calling thread in OpenTelemetry's standard
/// thread-context record (OTEP 4947, `otel_thread_ctx_v1`), where the eBPF agent (or any profiler
/// implementing the standard) reads it through the thread pointer (see flamelab_trace_context.h).
/// Plain stores: no syscall per request.
public enum ThreadTraceContext {
    /// Runs `body` with `context` published on this thread, and clears it afterwards.
    @inline(__always)
    public static func with<T>(_ context: TraceContext, _ body: () throws -> T) rethrows -> T {
        publish(context)
        defer { flamelab_trace_context_clear() }
        return try body()
    }

    public static func publish(_ context: TraceContext) {
        withUnsafeBytes(of: context.traceID.bytes) { trace in
            withUnsafeBytes(of: context.spanID.bytes) { span in
                flamelab_trace_context_set_flags(trace.bindMemory(to: UInt8.self).baseAddress, span.bindMemory(to: UInt8.self).baseAddress,
                                                 context.flags.rawValue)
            }
        }
    }

    /// Publishes the process's OpenTelemetry process context (OTEP 4719): `service.name` and the
    /// `threadlocal.*` attributes that tell OTEP 4947 readers this process publishes thread contexts.
    /// Throws `failed to publish the process context: <reason>`.
    public static func publishProcessContext(serviceName: String) throws {
        guard flamelab_process_context_publish(serviceName) == 0 else {
            throw ProcessContextError(reason: String(cString: strerror(errno)))
        }
    }

    public struct ProcessContextError: Error, CustomStringConvertible {
        public let reason: String
        public var description: String { "failed to publish the process context: \(reason)" }
    }

    public static func clear() {
        flamelab_trace_context_clear()
    }

    /// The trace id published on this thread, as hex, or nil.
    public static func currentTraceIDHex() -> String? {
        var trace = TraceID.null
        var span = SpanID.null
        let active = trace.withMutableSpan { traceBytes in
            span.withMutableSpan { spanBytes in
                traceBytes.withUnsafeMutableBufferPointer { t in
                    spanBytes.withUnsafeMutableBufferPointer { s in flamelab_trace_context_get(t.baseAddress, s.baseAddress) }
                }
            }
        }
        return active == 1 ? trace.description : nil
    }
}
