import Foundation

/// Scrapes the service's /metrics and evaluates an SLO's burn rates over (scaled) windows.
/// Good events: checkout requests in the histogram bucket at the latency threshold; all events: the count.
public final class BurnRateMonitor: @unchecked Sendable {
    /// One scrape: cumulative counters at a moment.
    public struct Point: Codable, Sendable {
        public var seconds: Double
        public var total: Double
        public var good: Double
    }

    public let slo: SLODefinition
    public let timeScale: Double
    private let connection: HTTPClientConnection
    public private(set) var points: [Point] = []

    public init(slo: SLODefinition, port: UInt16, timeScale: Double) {
        self.slo = slo
        self.timeScale = timeScale
        connection = HTTPClientConnection(port: port)
    }

    /// Scrapes once, at `seconds` (the caller's clock).
    public func scrape(at seconds: Double) throws {
        let response = try connection.send(path: "/metrics")
        guard response.status == 200 else { throw LabError("failed to scrape /metrics: HTTP \(response.status)") }
        points.append(try Self.parse(String(decoding: response.body, as: UTF8.self), slo: slo, at: seconds))
    }

    /// Reads the route's `_count` and the bucket whose bound is the SLO threshold.
    static func parse(_ text: String, slo: SLODefinition, at seconds: Double) throws -> Point {
        let routeLabel = "route=\"\(slo.route)\""
        let bound = "le=\"\(slo.latencyThresholdSeconds)\""
        var total = 0.0, good: Double?
        for line in text.split(separator: "\n") where line.contains(routeLabel) {
            let value = line.split(separator: " ").dropFirst().first.flatMap { Double($0) }
            if line.hasPrefix("flamelab_http_request_duration_seconds_count") { total = value ?? 0 }
            if line.hasPrefix("flamelab_http_request_duration_seconds_bucket"), line.contains(bound) { good = value }
        }
        guard let goodCount = good else {
            return Point(seconds: seconds, total: total, good: total)   // no checkout yet: nothing burned
        }
        return Point(seconds: seconds, total: total, good: goodCount)
    }

    /// Burn rate over the last `windowSeconds` real-time seconds (scaled to lab seconds): error ratio / budget.
    public func burnRate(windowSeconds: Double) -> Double {
        guard !points.isEmpty else { return 0 }
        return BurnRateHistory(points: points, slo: slo, timeScale: timeScale).burnRate(at: points.count - 1, windowSeconds: windowSeconds)
    }

    /// The first alert of the SLO whose long and short windows both burn above its rate, if any.
    public func firingAlert() -> SLODefinition.BurnRateAlert? {
        slo.alerts.first { alert in
            burnRate(windowSeconds: alert.longWindowSeconds) > alert.burnRate && burnRate(windowSeconds: alert.shortWindowSeconds) > alert.burnRate
        }
    }
}
