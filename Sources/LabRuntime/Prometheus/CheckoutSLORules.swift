import ProfileModel

/// The names lab/slo/checkout.rules.yml gives the checkout SLO in Prometheus: its page alert, the
/// recording rules of its burn windows, and the series whose exemplars name the slow requests.
public enum CheckoutSLORules {
    /// The rules file, relative to the repository root.
    public static let path = "lab/slo/checkout.rules.yml"
    /// The multiwindow, multi-burn-rate page.
    public static let alertName = "CheckoutLatencyBudgetBurn"
    /// The lab's time scale the committed rules are rendered at (lab/slo/checkout.json's labTimeScale).
    public static let timeScale = 60.0

    /// The recording rule of the share of slow checkouts over a window of `realSeconds` (SLO time),
    /// as the rules name it after scaling: 1 h -> `ratio_rate60s`.
    public static func badRatio(realSeconds: Double) -> String {
        "slo:checkout_latency_bad:ratio_rate\(Int((realSeconds / timeScale).rounded()))s"
    }

    /// Whether Prometheus's `alert` is the page of `rule` (same alert name and burn rate; the rules
    /// spell 6.0 as "6").
    public static func isPage(_ alert: PrometheusClient.Alert, of rule: SLODefinition.BurnRateAlert) -> Bool {
        alert.name == alertName && alert.labels["burn_rate"].flatMap(Double.init) == rule.burnRate
    }

    /// What an alert points at: the exemplars Prometheus stored on the checkout buckets over `rule`'s
    /// long window ending at `end` (Unix seconds), and of those, the ones slower than the SLO's
    /// threshold, one per trace, slowest first.
    public static func slowExemplars(_ client: PrometheusClient, slo: SLODefinition, rule: SLODefinition.BurnRateAlert,
                                     end: Double) throws -> (window: [Double], returned: Int, slow: [PrometheusClient.Exemplar]) {
        let window = [end - rule.longWindowSeconds / timeScale, end]
        let exemplars = try client.exemplars(query: exemplarSeries, start: window[0], end: window[1])
        var seen = Set<TraceID>()
        let slow = exemplars.filter { $0.value > slo.latencyThresholdSeconds && seen.insert($0.traceID).inserted }
        return (window, exemplars.count, slow)
    }

    /// The series the shop attaches trace-id exemplars to: the checkout latency buckets.
    public static let exemplarSeries = #"flamelab_http_request_duration_seconds_bucket{route="checkout"}"#
}
