import Foundation
import LabRuntime
import ProfileModel
import Synchronization

/// Follows the SLO in Prometheus every half second: each page's burn rates (its recording rules), its
/// state (the alerts API), and records alerts as they fire, each with the slow requests' exemplars
/// Prometheus stored over the alert's long window. The alert logic is Prometheus's rules
/// (lab/slo/checkout.rules.yml), not a second implementation here.
public final class SLOWatcher: Sendable {
    /// One page alert's two windows, as Prometheus evaluates them.
    public struct Window: Sendable {
        public var alert: SLODefinition.BurnRateAlert
        /// Burn rates (bad ratio / error budget); nil without data (no checkout in the window yet).
        public var longBurnRate: Double?
        public var shortBurnRate: Double?
        /// Prometheus's state of the alert: inactive, pending or firing.
        public var state: String
        public var firing: Bool { state == "firing" }
    }

    /// What the status page shows.
    public struct Snapshot: Sendable {
        public var windows: [Window]
        public var alerts: [FiredAlert]
        public var lastError: String?
        /// Times Prometheus was asked.
        public var polls: Int
    }

    public let slo: SLODefinition
    public let prometheus: PrometheusClient
    private let state = Mutex(Snapshot(windows: [], alerts: [], lastError: nil, polls: 0))
    private let stopped = Mutex(false)

    public init(slo: SLODefinition, prometheus: PrometheusClient) {
        self.slo = slo
        self.prometheus = prometheus
    }

    /// The latest status (safe from any thread).
    public var snapshot: Snapshot { state.withLock { $0 } }

    /// The alert with `id`, if it fired.
    public func alert(id: Int) -> FiredAlert? { state.withLock { $0.alerts.first { $0.id == id } } }

    /// The exemplar request with `traceID` among the alerts' (nil when no alert took it).
    public func exemplar(traceID: TraceID) -> PrometheusClient.Exemplar? {
        state.withLock { $0.alerts.lazy.flatMap(\.exemplars).first { $0.traceID == traceID } }
    }

    /// Starts polling on a background thread.
    public func start() {
        let thread = Thread { [self] in
            while !stopped.withLock({ $0 }) {
                tick()
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
        thread.name = "lab-serve-slo"
        thread.start()
    }

    public func stop() { stopped.withLock { $0 = true } }

    /// One poll (the thread's loop body; tests call it directly).
    func tick() {
        let windows: [Window]
        do { windows = try poll() } catch {
            state.withLock { $0.lastError = "\(error)" }
            return
        }
        let firing = windows.first(where: \.firing)
        let wasActive = state.withLock { $0.alerts.last?.active ?? false }
        let fired = firing.flatMap { wasActive ? nil : newAlert($0) }
        state.withLock { s in
            s.windows = windows
            s.lastError = nil
            s.polls += 1
            if let fired { s.alerts.append(fired) }
            if firing == nil, !s.alerts.isEmpty { s.alerts[s.alerts.count - 1].active = false }
        }
    }

    /// Every page alert of the SLO with its burn rates and Prometheus's state.
    private func poll() throws -> [Window] {
        let alerts = try prometheus.alerts()
        return try slo.alerts.map { alert in
            let state = alerts.first { CheckoutSLORules.isPage($0, of: alert) }?.state ?? "inactive"
            return Window(alert: alert, longBurnRate: try burnRate(alert.longWindowSeconds), shortBurnRate: try burnRate(alert.shortWindowSeconds), state: state)
        }
    }

    private func burnRate(_ realSeconds: Double) throws -> Double? {
        try prometheus.value(CheckoutSLORules.badRatio(realSeconds: realSeconds)).map { $0 / slo.errorBudget }
    }

    /// The exemplars Prometheus stored over the alert's long window, slower than the SLO's threshold,
    /// one per trace, slowest first.
    private func newAlert(_ window: Window) -> FiredAlert {
        let id = state.withLock { $0.alerts.count } + 1
        let now = Date().timeIntervalSince1970
        var alert = FiredAlert(id: id, severity: window.alert.severity, firedAtUnix: now, longBurnRate: window.longBurnRate ?? .nan,
                               shortBurnRate: window.shortBurnRate ?? .nan, exemplars: [], exemplarError: nil, active: true)
        do {
            alert.exemplars = try CheckoutSLORules.slowExemplars(prometheus, slo: slo, rule: window.alert, end: now).slow
        } catch {
            alert.exemplarError = "\(error)"
        }
        return alert
    }
}
