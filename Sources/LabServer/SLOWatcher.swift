import Foundation
import Lab

/// Scrapes the service's /metrics every half second, evaluates the SLO's burn rates and records
/// alerts as they fire, each with the exemplar trace ids of the slowest checkouts at that moment.
public final class SLOWatcher: @unchecked Sendable {
    /// Burn rates of one alert's two windows at the latest scrape.
    public struct WindowStatus: Sendable {
        public var alert: SLODefinition.BurnRateAlert
        public var longBurnRate: Double
        public var shortBurnRate: Double
        public var firing: Bool { longBurnRate > alert.burnRate && shortBurnRate > alert.burnRate }
    }

    /// What the status page shows.
    public struct Snapshot: Sendable {
        public var windows: [WindowStatus]
        public var alerts: [FiredAlert]
        public var lastError: String?
        public var scrapes: Int
    }

    public let slo: SLODefinition
    public let timeScale: Double
    private let servicePort: UInt16
    private let monitor: BurnRateMonitor
    private let lock = NSLock()
    private var state = Snapshot(windows: [], alerts: [], lastError: nil, scrapes: 0)
    private var stopped = false
    private let started = Date()

    public init(slo: SLODefinition, servicePort: UInt16, timeScale: Double) {
        self.slo = slo
        self.timeScale = timeScale
        self.servicePort = servicePort
        monitor = BurnRateMonitor(slo: slo, port: servicePort, timeScale: timeScale)
    }

    /// The latest status (safe from any thread).
    public var snapshot: Snapshot { lock.withLock { state } }

    /// The alert with `id`, if it fired.
    public func alert(id: Int) -> FiredAlert? { lock.withLock { state.alerts.first { $0.id == id } } }

    /// Starts scraping on a background thread.
    public func start() {
        let thread = Thread { [self] in
            while !lock.withLock({ stopped }) {
                tick()
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
        thread.name = "lab-serve-slo"
        thread.start()
    }

    public func stop() { lock.withLock { stopped = true } }

    private func tick() {
        do {
            try monitor.scrape(at: Date().timeIntervalSince(started))
        } catch {
            lock.withLock { state.lastError = "\(error)" }
            return
        }
        let windows = slo.alerts.map {
            WindowStatus(alert: $0, longBurnRate: monitor.burnRate(windowSeconds: $0.longWindowSeconds),
                         shortBurnRate: monitor.burnRate(windowSeconds: $0.shortWindowSeconds))
        }
        // A window shorter than the alert's long window is not evidence (a slow first request reads as 100%).
        let observed = Date().timeIntervalSince(started)
        let firing = windows.first { $0.firing && observed >= $0.alert.longWindowSeconds / timeScale }
        let wasActive = lock.withLock { state.alerts.last?.active ?? false }
        var fired: FiredAlert?
        if let firing, !wasActive { fired = newAlert(firing) }
        lock.withLock {
            state.windows = windows
            state.lastError = nil
            state.scrapes += 1
            if let fired { state.alerts.append(fired) }
            if firing == nil, !state.alerts.isEmpty { state.alerts[state.alerts.count - 1].active = false }
        }
    }

    /// Fetches the exemplars of the slowest checkouts over the alert's long window (scaled).
    private func newAlert(_ window: WindowStatus) -> FiredAlert {
        let id = lock.withLock { state.alerts.count } + 1
        var alert = FiredAlert(id: id, severity: window.alert.severity,
                               firedAtUnix: Date().timeIntervalSince1970, longBurnRate: window.longBurnRate,
                               shortBurnRate: window.shortBurnRate, exemplarTraceIDs: [], exemplarError: nil, active: true)
        let seconds = max(1, Int((window.alert.longWindowSeconds / timeScale).rounded(.up)))
        do {
            let response = try HTTPClientConnection(port: servicePort).send(path: "/admin/slow?route=\(slo.route)&limit=20&window_s=\(seconds)")
            guard response.status == 200 else { throw LabError("HTTP \(response.status)") }
            alert.exemplarTraceIDs = try JSONDecoder().decode([Exemplar].self, from: Data(response.body)).map(\.trace_id)
        } catch {
            alert.exemplarError = "failed to fetch the slow exemplars: \(error)"
        }
        return alert
    }

    private struct Exemplar: Decodable {
        var trace_id: String
    }
}
