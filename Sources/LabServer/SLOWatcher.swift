import Foundation
import LabRuntime
import ProfileModel
import Synchronization

/// Scrapes the service's /metrics every half second, evaluates the SLO's alerts (`AlertEvaluator`)
/// and records alerts as they fire, each with the slowest checkouts at that moment as exemplars.
public final class SLOWatcher: Sendable {
    /// What the status page shows.
    public struct Snapshot: Sendable {
        public var windows: [AlertEvaluator.WindowStatus]
        public var alerts: [FiredAlert]
        public var lastError: String?
        public var scrapes: Int
    }

    public let slo: SLODefinition
    public let timeScale: Double
    private let client: ShopClient
    private let monitor: BurnRateMonitor
    private let evaluator: AlertEvaluator
    private let state = Mutex(Snapshot(windows: [], alerts: [], lastError: nil, scrapes: 0))
    private let stopped = Mutex(false)
    private let started = Date()

    public init(slo: SLODefinition, servicePort: UInt16, timeScale: Double) {
        self.slo = slo
        self.timeScale = timeScale
        client = ShopClient(port: servicePort)
        monitor = BurnRateMonitor(slo: slo, client: client, timeScale: timeScale)
        evaluator = AlertEvaluator(slo: slo)
    }

    /// The latest status (safe from any thread).
    public var snapshot: Snapshot { state.withLock { $0 } }

    /// The alert with `id`, if it fired.
    public func alert(id: Int) -> FiredAlert? { state.withLock { $0.alerts.first { $0.id == id } } }

    /// The exemplar request with `traceID` among the alerts' (nil when no alert took it).
    public func exemplar(traceID: TraceID) -> ShopClient.SlowRequest? {
        state.withLock { $0.alerts.lazy.flatMap(\.exemplars).first { $0.traceID == traceID } }
    }

    /// Starts scraping on a background thread.
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

    /// One scrape and evaluation (the thread's loop body; tests call it directly).
    func tick() {
        do {
            try monitor.scrape(at: Date().timeIntervalSince(started))
        } catch {
            state.withLock { $0.lastError = "\(error)" }
            return
        }
        let history = monitor.history
        let windows = evaluator.windows(history)
        let firing = windows.first(where: \.firing)
        let wasActive = state.withLock { $0.alerts.last?.active ?? false }
        let fired = firing.flatMap { wasActive ? nil : newAlert($0) }
        state.withLock { s in
            s.windows = windows
            s.lastError = nil
            s.scrapes += 1
            if let fired { s.alerts.append(fired) }
            if firing == nil, !s.alerts.isEmpty { s.alerts[s.alerts.count - 1].active = false }
        }
    }

    /// Fetches the slowest checkouts over the alert's long window (scaled) as its exemplars.
    private func newAlert(_ window: AlertEvaluator.WindowStatus) -> FiredAlert {
        let id = state.withLock { $0.alerts.count } + 1
        var alert = FiredAlert(id: id, severity: window.alert.severity, firedAtUnix: Date().timeIntervalSince1970,
                               longBurnRate: window.longBurnRate, shortBurnRate: window.shortBurnRate, exemplars: [], exemplarError: nil, active: true)
        do {
            alert.exemplars = try client.slowest(route: slo.route, limit: 20, windowSeconds: (window.alert.longWindowSeconds / timeScale).rounded(.up))
        } catch {
            alert.exemplarError = "\(error)"
        }
        return alert
    }
}
