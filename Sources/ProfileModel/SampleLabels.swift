/// Labels attached to a sample. Trace ids are lowercase hex (32 chars), span ids 16 chars.
public struct SampleLabels: Hashable, Codable, Sendable {
    public var traceID: String?
    public var spanID: String?
    public var pid: Int32?
    public var tid: Int32?
    /// CLOCK_MONOTONIC (boot-based) nanoseconds when the sample was taken or the block ended.
    public var timestampNs: UInt64?

    public init(traceID: String? = nil, spanID: String? = nil, pid: Int32? = nil, tid: Int32? = nil, timestampNs: UInt64? = nil) {
        self.traceID = traceID
        self.spanID = spanID
        self.pid = pid
        self.tid = tid
        self.timestampNs = timestampNs
    }

    /// No labels.
    public static let none = SampleLabels()
}
