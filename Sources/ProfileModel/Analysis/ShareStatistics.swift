import Foundation

/// Statistics on sampled shares: two-proportion tests, confidence intervals and power.
///
/// A sampled profile is treated as n draws in which a function is on CPU (self) with probability p:
/// the usual model for timer sampling. Neighbouring samples are correlated, so the tests take a
/// `dispersion` factor (variance over the binomial one, from `SampleDispersion`) that widens them.
public enum ShareStatistics {
    /// Standard normal cumulative distribution function.
    public static func normalCDF(_ x: Double) -> Double {
        0.5 * erfc(-x / 2.0.squareRoot())
    }

    /// The standard normal quantile (inverse CDF) for `p` in (0, 1), by bisection on `normalCDF`.
    public static func normalQuantile(_ p: Double) -> Double {
        guard p > 0 else { return -.infinity }
        guard p < 1 else { return .infinity }
        var low = -40.0, high = 40.0
        for _ in 0..<200 {
            let mid = (low + high) / 2
            if normalCDF(mid) < p { low = mid } else { high = mid }
            if high - low < 1e-12 { break }
        }
        return (low + high) / 2
    }

    /// Two-proportion test of x1/n1 against x2/n2: the pooled z statistic (positive when the second
    /// grew) and the two-sided p-value of Fisher's exact test. The normal approximation behind z
    /// overstates significance at small counts (2 -> 13 samples gave p = 0.005 where the exact p is
    /// 0.007), which is where gate false alarms come from. `dispersion` (>= 1) divides every count
    /// before the exact test and multiplies z's variance: correlated samples carry less information.
    /// With no data or no variance, z = 0 and p = 1.
    public static func twoProportionTest(x1: Double, n1: Double, x2: Double, n2: Double, dispersion: Double = 1) -> (z: Double, pValue: Double) {
        guard n1 > 0, n2 > 0 else { return (0, 1) }
        let inflation = max(dispersion, 1)
        let p1 = x1 / n1, p2 = x2 / n2
        let pooled = (x1 + x2) / (n1 + n2)
        let se = (inflation * pooled * (1 - pooled) * (1 / n1 + 1 / n2)).squareRoot()
        guard se > 0, se.isFinite else { return (0, 1) }
        let z = (p2 - p1) / se
        let effective = { (value: Double) in Int((value / inflation).rounded()) }
        let exact = fisherExactTwoSided(x1: effective(x1), n1: max(1, effective(n1)), x2: effective(x2), n2: max(1, effective(n2)))
        return (z, exact)
    }

    /// Fisher's exact test of the 2x2 table (x1 of n1) against (x2 of n2), two-sided: the probability,
    /// under equal proportions and the observed margins, of a table no more likely than this one.
    public static func fisherExactTwoSided(x1: Int, n1: Int, x2: Int, n2: Int) -> Double {
        let hits = x1 + x2, total = n1 + n2
        guard hits > 0, hits < total, (0...n1).contains(x1), (0...n2).contains(x2) else { return 1 }
        // X2 ~ Hypergeometric(total, hits, n2) given the margins.
        let lowest = max(0, hits - n1), highest = min(hits, n2)
        let logDenominator = logChoose(total, hits)
        func logProbability(_ k: Int) -> Double { logChoose(n2, k) + logChoose(n1, hits - k) - logDenominator }
        let observed = logProbability(x2)
        var p = 0.0
        for k in lowest...highest {
            let logP = logProbability(k)
            // The relative tolerance keeps tables as likely as the observed one despite rounding.
            if logP <= observed + 1e-7 { p += exp(logP) }
        }
        return min(1, p)
    }

    private static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n) + 1) - lgamma(Double(k) + 1) - lgamma(Double(n - k) + 1)
    }

    /// Wald (unpooled) confidence interval of p2 - p1 at `confidence` (e.g. 0.95).
    public static func differenceInterval(x1: Double, n1: Double, x2: Double, n2: Double,
                                          confidence: Double = 0.95, dispersion: Double = 1) -> (low: Double, high: Double) {
        guard n1 > 0, n2 > 0 else { return (-1, 1) }
        let p1 = x1 / n1, p2 = x2 / n2
        let se = (max(dispersion, 1) * (p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)).squareRoot()
        let z = normalQuantile(1 - (1 - confidence) / 2)
        return (p2 - p1 - z * se, p2 - p1 + z * se)
    }

    /// The power of the two-sided pooled test at level `alpha` to see p1 -> p2 with n1, n2 samples.
    public static func power(p1: Double, p2: Double, n1: Double, n2: Double, alpha: Double) -> Double {
        guard n1 > 0, n2 > 0 else { return 0 }
        let pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
        let se0 = (pooled * (1 - pooled) * (1 / n1 + 1 / n2)).squareRoot()
        let se1 = (p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2).squareRoot()
        guard se1 > 0 else { return p1 == p2 ? 0 : 1 }
        let critical = normalQuantile(1 - alpha / 2) * se0
        return normalCDF((abs(p2 - p1) - critical) / se1)
    }

    /// The smallest relative growth r (p2 = p1 × (1 + r)) that the test detects with probability
    /// `power`; nil when not even p2 = 1 is detectable.
    public static func minimumDetectableRelativeChange(baseShare p1: Double, n1: Double, n2: Double,
                                                       alpha: Double, power wanted: Double = 0.8) -> Double? {
        guard p1 > 0, p1 < 1 else { return nil }
        let maxRelative = 1 / p1 - 1
        guard power(p1: p1, p2: 1, n1: n1, n2: n2, alpha: alpha) >= wanted else { return nil }
        var low = 0.0, high = maxRelative
        for _ in 0..<100 {
            let mid = (low + high) / 2
            if power(p1: p1, p2: p1 * (1 + mid), n1: n1, n2: n2, alpha: alpha) >= wanted { high = mid } else { low = mid }
        }
        return high
    }

    /// Samples needed on each side (n1 = n2) to detect a relative growth `relativeChange` of a share
    /// `p1` with probability `power`; nil when the change is impossible (p2 > 1).
    public static func requiredSamples(baseShare p1: Double, relativeChange: Double, alpha: Double,
                                       power wanted: Double = 0.8) -> Double? {
        let p2 = p1 * (1 + relativeChange)
        guard p1 > 0, p2 <= 1, relativeChange != 0 else { return nil }
        var low = 1.0, high = 1.0
        while power(p1: p1, p2: p2, n1: high, n2: high, alpha: alpha) < wanted {
            high *= 2
            if high > 1e15 { return nil }
        }
        for _ in 0..<100 {
            let mid = (low + high) / 2
            if power(p1: p1, p2: p2, n1: mid, n2: mid, alpha: alpha) >= wanted { high = mid } else { low = mid }
        }
        return high.rounded(.up)
    }
}
