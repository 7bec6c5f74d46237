import LabRuntime
import ProfileModel

/// One burn-rate alert as it fired, with the slow requests' exemplars Prometheus held at that moment.
public struct FiredAlert: Sendable {
    /// 1, 2, ... in firing order (the `/alerts/<id>` path).
    public var id: Int
    public var severity: String
    /// Unix time the alert fired.
    public var firedAtUnix: Double
    public var longBurnRate: Double
    public var shortBurnRate: Double
    /// The slow checkouts of the alert's long window, one exemplar per trace, slowest first.
    public var exemplars: [PrometheusClient.Exemplar]
    /// Why there are no exemplars, if fetching them failed.
    public var exemplarError: String?
    /// Whether the alert is still firing at the latest poll.
    public var active: Bool

    /// The exemplars' trace ids, slowest first.
    public var exemplarTraceIDs: [TraceID] { exemplars.map(\.traceID) }
}
