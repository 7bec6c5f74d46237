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
}
