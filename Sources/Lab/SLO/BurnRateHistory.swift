/// Burn rate as a time series, recomputed from the scrapes a BurnRateMonitor kept.
public struct BurnRateHistory: Sendable {
    public var points: [BurnRateMonitor.Point]
    public var slo: SLODefinition
    public var timeScale: Double

    /// (seconds, burn rate over `windowSeconds` real time) at every scrape.
    public func series(windowSeconds: Double) -> [(x: Double, y: Double)] {
        points.indices.map { (points[$0].seconds, burnRate(at: $0, windowSeconds: windowSeconds)) }
    }

    /// Error ratio over the (scaled) window ending at scrape `index`, divided by the error budget.
    public func burnRate(at index: Int, windowSeconds: Double) -> Double {
        let last = points[index]
        let first = points[..<index].last { $0.seconds <= last.seconds - windowSeconds / timeScale } ?? points[0]
        let total = last.total - first.total
        guard total > 0 else { return 0 }
        let bad = total - (last.good - first.good)
        return bad / total / slo.errorBudget
    }
}
