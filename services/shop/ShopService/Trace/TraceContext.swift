import W3CTraceContext

/// A request's W3C trace context (https://www.w3.org/TR/trace-context/). The type, its `traceparent`
/// parser and printer are swift-w3c-trace-context's: strict version 00, lowercase hex, non-zero ids.
/// The shop adds what it needs on top: a child span for its own work, the sampled bit and hex ids.
public typealias TraceContext = W3CTraceContext.TraceContext

extension TraceContext {
    /// A new root trace with random ids, sampled.
    public static func random() -> TraceContext {
        TraceContext(traceID: nonNull(TraceID.random), spanID: nonNull(SpanID.random), flags: .sampled, state: TraceState())
    }

    /// Parses a `traceparent` header. Returns nil for anything malformed (the caller starts a new trace).
    public static func parse(traceparent header: String) -> TraceContext? {
        try? TraceContext(traceParentHeaderValue: header)
    }

    /// This context as a child: same trace and flags, a new span id (the service's own span).
    public func child() -> TraceContext {
        var span = Self.nonNull(SpanID.random)
        while span == spanID { span = Self.nonNull(SpanID.random) }
        return TraceContext(traceID: traceID, spanID: span, flags: flags, state: state)
    }

    /// Whether the caller sampled this trace (flag bit 0).
    public var sampled: Bool { flags.contains(.sampled) }
    /// The `traceparent` header value.
    public var traceparent: String { traceParentHeaderValue }
    public var traceIDHex: String { traceID.description }
    public var spanIDHex: String { spanID.description }

    /// All-zero ids are invalid in W3C trace context: draw again (a 2^-64 event, but never emit one).
    private static func nonNull<ID: Equatable>(_ draw: () -> ID) -> ID where ID: NullIdentifier {
        var id = draw()
        while id == ID.null { id = draw() }
        return id
    }
}

/// The library's two id types, both with an all-zero `null`.
protocol NullIdentifier { static var null: Self { get } }
extension TraceID: NullIdentifier {}
extension SpanID: NullIdentifier {}
