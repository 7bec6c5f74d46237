/// Labels attached to a sample: the request's trace context, the thread, and the time.
public struct SampleLabels: Hashable, Codable, Sendable {
    public var traceID: TraceID?
    public var spanID: SpanID?
    public var pid: Int32?
    public var tid: Int32?
    /// CLOCK_MONOTONIC (boot-based) nanoseconds when the sample was taken or the block ended.
    public var timestampNs: UInt64?

    public init(traceID: TraceID? = nil, spanID: SpanID? = nil, pid: Int32? = nil, tid: Int32? = nil, timestampNs: UInt64? = nil) {
        self.traceID = traceID
        self.spanID = spanID
        self.pid = pid
        self.tid = tid
        self.timestampNs = timestampNs
    }

    /// No labels.
    public static let none = SampleLabels()
}
