import ProfileModel
import W3CTraceContext

/// The load generator's root spans as W3C `traceparent` values: flamelab's ids (the ones the request
/// records keep) printed by swift-w3c-trace-context.
enum TraceParent {
    /// A sampled version-00 `traceparent` for `trace` with `span` as the caller's span.
    static func header(trace: ProfileModel.TraceID, span: ProfileModel.SpanID) -> String {
        var traceID = W3CTraceContext.TraceID.null
        traceID.withMutableSpan { bytes in
            bytes.withUnsafeMutableBytes { raw in
                raw.storeBytes(of: trace.high.bigEndian, toByteOffset: 0, as: UInt64.self)
                raw.storeBytes(of: trace.low.bigEndian, toByteOffset: 8, as: UInt64.self)
            }
        }
        var spanID = W3CTraceContext.SpanID.null
        spanID.withMutableSpan { bytes in
            bytes.withUnsafeMutableBytes { $0.storeBytes(of: span.value.bigEndian, toByteOffset: 0, as: UInt64.self) }
        }
        return TraceContext(traceID: traceID, spanID: spanID, flags: .sampled, state: TraceState()).traceParentHeaderValue
    }
}
