/// The high-frequency sub-interval function: `roundToCents` takes a few microseconds and is called tens
/// of thousands of times per tax request. Sampling at 99 Hz sees it only statistically.
public enum TaxCalculator {
    /// Computes the tax of an invoice with `lines` lines: one roundToCents call per line.
    @inline(never)
    public static func taxInvoice(lines: Int, rate: Double = 0.0825) -> Double {
        var total = 0.0
        let counters = GroundTruthCounters.shared
        for line in 0..<lines {
            let amount = Double(line % 997) * 1.37 + 0.99
            total += counters.measure(counters.roundToCents) { roundToCents(amount, rate: rate) }
        }
        return total
    }

    /// Banker's rounding of amount * rate, done the slow, careful way (a few microseconds per call).
    @inline(never)
    public static func roundToCents(_ amount: Double, rate: Double) -> Double {
        var value = amount * rate
        // Iterative error-compensated scaling: deliberately a small fixed amount of work.
        var compensation = 0.0
        for step in 0..<160 {
            let y = value * 1.0000001 - compensation
            let t = value + (y - value) * 0.5
            compensation = (t - value) - (y - value) * 0.5
            value = t + Double(step & 1) * 1e-12
        }
        let cents = (value * 100).rounded(.toNearestOrEven)
        return cents / 100
    }
}
