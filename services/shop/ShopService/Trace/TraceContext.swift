import Foundation

/// A W3C trace context (https://www.w3.org/TR/trace-context/) as the service uses it: the trace id
/// of the request and the span id of the service's own span.
public struct TraceContext: Sendable, Hashable {
    public var traceID: [UInt8]   // 16 bytes, not all zero
    public var spanID: [UInt8]    // 8 bytes, not all zero
    public var sampled: Bool

    public init(traceID: [UInt8], spanID: [UInt8], sampled: Bool = true) {
        precondition(traceID.count == 16 && spanID.count == 8, "trace id is 16 bytes, span id 8")
        self.traceID = traceID
        self.spanID = spanID
        self.sampled = sampled
    }

    /// A new root trace with random ids.
    public static func random() -> TraceContext {
        TraceContext(traceID: randomNonZeroBytes(16), spanID: randomNonZeroBytes(8))
    }

    /// Parses a `traceparent` header. Returns nil for anything malformed (the caller starts a new trace).
    public static func parse(traceparent header: String) -> TraceContext? {
        let parts = header.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4,
              let version = HexBytes.decode(parts[0]), version.count == 1, version[0] != 0xff,
              version[0] != 0 || parts.count == 4,
              let trace = HexBytes.decode(parts[1]), trace.count == 16, trace.contains(where: { $0 != 0 }),
              let span = HexBytes.decode(parts[2]), span.count == 8, span.contains(where: { $0 != 0 }),
              let flags = HexBytes.decode(parts[3]), flags.count == 1
        else { return nil }
        return TraceContext(traceID: trace, spanID: span, sampled: flags[0] & 1 == 1)
    }

    /// This context as a child: same trace, new span id (the service's own span).
    public func child() -> TraceContext {
        TraceContext(traceID: traceID, spanID: Self.randomNonZeroBytes(8), sampled: sampled)
    }

    /// The `traceparent` header value.
    public var traceparent: String {
        "00-\(traceIDHex)-\(spanIDHex)-\(sampled ? "01" : "00")"
    }

    public var traceIDHex: String { HexBytes.encode(traceID) }
    public var spanIDHex: String { HexBytes.encode(spanID) }

    private static func randomNonZeroBytes(_ count: Int) -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        while true {
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if bytes.contains(where: { $0 != 0 }) { return bytes }
        }
    }
}
