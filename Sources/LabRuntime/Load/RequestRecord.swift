import ProfileModel

/// One request a load run sent: the trace id it carried and what it cost.
public struct RequestRecord: Codable, Sendable {
    public var route: String
    public var traceID: TraceID
    /// When the request was due, seconds after the run started (open loop: the schedule).
    public var startOffsetSeconds: Double
    /// From the due time to the last response byte (open loop: includes queueing, so no coordinated omission).
    public var latencyMs: Double
    /// HTTP status, or 0 when the request failed without a response.
    public var status: Int
    /// The service's own measurement from its Server-Timing header: thread CPU and wall of the work.
    public var serverCPUMs: Double?
    public var serverWallMs: Double?
    /// Of the work's wall time, how long its thread waited on a run queue (preempted by other work
    /// on a shared machine, not blocked), from Server-Timing `queue`.
    public var serverQueueMs: Double?

    /// The work's CPU over its wall time less run-queue waits: whether the work computes or waits,
    /// whatever else the machine runs. Nil without Server-Timing.
    public var serverCPUWallRatio: Double? {
        guard let cpu = serverCPUMs, let wall = serverWallMs else { return nil }
        let running = wall - (serverQueueMs ?? 0)
        return running > 0 ? cpu / running : nil
    }
    public var error: String?

    public var isError: Bool { status == 0 || status >= 500 }
}
