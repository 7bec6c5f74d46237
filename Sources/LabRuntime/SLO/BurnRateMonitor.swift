import Foundation
import Synchronization

/// Scrapes the service's /metrics and keeps the SLO's good and total counts per scrape.
/// Good events: requests of the SLO's route in the histogram bucket at the latency threshold.
public final class BurnRateMonitor: Sendable {
    /// One scrape: cumulative counters at a moment.
    public struct Point: Codable, Sendable {
        public var seconds: Double
        public var total: Double
        public var good: Double
    }

    public let slo: SLODefinition
    public let timeScale: Double
    private let client: ShopClient
    private let scraped = Mutex<[Point]>([])

    public init(slo: SLODefinition, client: ShopClient, timeScale: Double) {
        self.slo = slo
        self.timeScale = timeScale
        self.client = client
    }

    /// Every scrape so far.
    public var points: [Point] { scraped.withLock { $0 } }

    /// The scrapes as a burn-rate history.
    public var history: BurnRateHistory { BurnRateHistory(points: points, slo: slo, timeScale: timeScale) }

    /// Scrapes once, at `seconds` (the caller's clock).
    public func scrape(at seconds: Double) throws {
        let point = Self.point(from: try client.metrics(), slo: slo, at: seconds)
        scraped.withLock { $0.append(point) }
    }

    /// The route's `_count` and the bucket whose bound is the SLO threshold (as numbers).
    static func point(from metrics: MetricsText, slo: SLODefinition, at seconds: Double) -> Point {
        let histogram = "flamelab_http_request_duration_seconds"
        let route = ["route": slo.route]
        let total = metrics.value(histogram + "_count", route) ?? 0
        // No request of the route yet: nothing burned.
        let good = metrics.bucket(histogram, le: slo.latencyThresholdSeconds, route) ?? total
        return Point(seconds: seconds, total: total, good: good)
    }

    /// Burn rate over the last `windowSeconds` real-time seconds (scaled to lab seconds).
    public func burnRate(windowSeconds: Double) -> Double {
        let history = history
        return history.points.isEmpty ? 0 : history.burnRate(at: history.points.count - 1, windowSeconds: windowSeconds)
    }
}
