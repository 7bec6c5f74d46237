/// Small, dependency-free statistics for reports: medians, quantiles, spreads.
public enum Statistics {
    public static func median(_ values: [Double]) -> Double? {
        quantile(values, 0.5)
    }

    /// Linear-interpolated quantile `q` in [0, 1]; nil for no values.
    public static func quantile(_ values: [Double], _ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }

    public static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// The percentile-bootstrap `confidence` interval of `statistic` (the median by default) over `values`:
    /// `resamples` draws of `values.count` with replacement, from `seed`, so that the same data give
    /// the same interval. Nil for fewer than two values.
    public static func bootstrapInterval(_ values: [Double], confidence: Double = 0.95, resamples: Int = 2000, seed: UInt64 = 0x5EED,
                                         statistic: ([Double]) -> Double? = { Statistics.median($0) }) -> ClosedRange<Double>? {
        guard values.count >= 2 else { return nil }
        var generator = SeededGenerator(seed: seed)
        var estimates: [Double] = []
        estimates.reserveCapacity(resamples)
        var draw = [Double](repeating: 0, count: values.count)
        for _ in 0..<resamples {
            for index in draw.indices { draw[index] = values[Int.random(in: 0..<values.count, using: &generator)] }
            if let estimate = statistic(draw) { estimates.append(estimate) }
        }
        let tail = (1 - confidence) / 2
        guard let low = quantile(estimates, tail), let high = quantile(estimates, 1 - tail) else { return nil }
        return low...high
    }

    /// The distribution-free 95% interval of the median: the sorted values' ranks floor(n/2 - 0.98 √n)
    /// and ceil(1 + n/2 + 0.98 √n) (the binomial's normal approximation), which needs no assumption
    /// about their spread. Nil for fewer than six values, where those ranks fall outside the sample.
    public static func medianInterval95(_ values: [Double]) -> ClosedRange<Double>? {
        let n = values.count
        guard n >= 6 else { return nil }
        let sorted = values.sorted()
        let spread = 0.98 * Double(n).squareRoot()
        let lowerRank = max(1, Int((Double(n) / 2 - spread).rounded(.down)))
        let upperRank = min(n, Int((1 + Double(n) / 2 + spread).rounded(.up)))
        return sorted[lowerRank - 1]...sorted[upperRank - 1]
    }
}
