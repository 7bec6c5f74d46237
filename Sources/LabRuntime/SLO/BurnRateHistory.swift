/// Burn rate as a time series, recomputed from the scrapes a BurnRateMonitor kept.
public struct BurnRateHistory: Sendable {
    public var points: [BurnRateMonitor.Point]
    public var slo: SLODefinition
    public var timeScale: Double

    public init(points: [BurnRateMonitor.Point], slo: SLODefinition, timeScale: Double) {
        self.points = points
        self.slo = slo
        self.timeScale = timeScale
    }

    /// (seconds, burn rate over `windowSeconds` real time) at every scrape.
    public func series(windowSeconds: Double) -> [(x: Double, y: Double)] {
        points.indices.map { (points[$0].seconds, burnRate(at: $0, windowSeconds: windowSeconds)) }
    }

    /// Error ratio over the (scaled) window ending at scrape `index`, divided by the error budget.
    public func burnRate(at index: Int, windowSeconds: Double) -> Double {
        let (total, good) = counts(at: index, windowSeconds: windowSeconds)
        guard total > 0 else { return 0 }
        return (total - good) / total / slo.errorBudget
    }

    /// Requests of the route in the (scaled) window ending at scrape `index`.
    public func requests(at index: Int, windowSeconds: Double) -> Double {
        counts(at: index, windowSeconds: windowSeconds).total
    }

    private func counts(at index: Int, windowSeconds: Double) -> (total: Double, good: Double) {
        let last = points[index]
        let first = points[..<index].last { $0.seconds <= last.seconds - windowSeconds / timeScale } ?? points[0]
        return (last.total - first.total, last.good - first.good)
    }
}
