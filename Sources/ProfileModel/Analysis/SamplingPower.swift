import Foundation

/// How likely a comparison of sampled shares is to reach its conclusion at a given sample count, and
/// how many samples it needs for a wanted power: the arithmetic every lab check that compares shares
/// sizes its capture with, instead of a fixed duration.
///
/// The model is the gate's own: a function's sample count over n samples is binomial with share p,
/// its variance inflated by `dispersion` (correlated neighbouring samples, `SampleDispersion`), and
/// normal-approximated. Where a check applies the gate's test, the power comes from that test
/// itself (`ShareStatistics.twoProportionTest`), including the batch-means widening the gate
/// estimates from each capture, whose own spread (a chi-square over the blocks) is integrated over.
public enum SamplingPower {
    /// The power the lab asks of every sampled comparison it checks.
    public static let target = 0.999

    /// Nodes and weights of a standard normal over ±6 (midpoint rule); weights sum to ~1.
    static let normalNodes: [(z: Double, weight: Double)] = nodes(halfWidth: 6, step: 0.05)
    static let coarseNormalNodes: [(z: Double, weight: Double)] = nodes(halfWidth: 4.5, step: 0.25)

    private static func nodes(halfWidth: Double, step: Double) -> [(z: Double, weight: Double)] {
        stride(from: -halfWidth + step / 2, to: halfWidth, by: step).map { z in
            (z, exp(-z * z / 2) / (2 * Double.pi).squareRoot() * step)
        }
    }

    /// The chi-square quantile with `degrees` degrees of freedom at the standard normal quantile `z`
    /// (Wilson-Hilferty; within about 1% for 5 or more degrees of freedom).
    public static func chiSquareQuantile(degrees k: Int, z: Double) -> Double {
        let d = Double(k), c = 2 / (9 * d)
        return d * pow(max(0, 1 - c + z * c.squareRoot()), 3)
    }

    /// An upper confidence bound (one-sided, `confidence`) on a variance ratio estimated from `blocks` blocks.
    public static func dispersionUpperBound(_ estimate: Double, blocks: Int, confidence: Double = 0.99) -> Double {
        let k = max(blocks - 1, 1)
        let low = chiSquareQuantile(degrees: k, z: -ShareStatistics.normalQuantile(confidence))
        return max(1, estimate) * Double(k) / max(low, 1e-9)
    }

    /// A lower confidence bound (one-sided, `confidence`) on a share seen as `share` of `samples` with `dispersion`.
    public static func shareLowerBound(_ share: Double, samples: Double, dispersion: Double, confidence: Double = 0.99) -> Double {
        guard samples > 0 else { return 0 }
        let se = (max(dispersion, 1) * share * (1 - share) / samples).squareRoot()
        return max(0, share - ShareStatistics.normalQuantile(confidence) * se)
    }

    /// P(X >= x) for X normal with `mean` and `sd`.
    static func upperTail(_ x: Double, mean: Double, sd: Double) -> Double {
        guard sd > 0 else { return x <= mean ? 1 : 0 }
        return 1 - ShareStatistics.normalCDF((x - mean) / sd)
    }

    // MARK: the gate's detection of a new function

    /// The probability that the gate's test finds a function absent from the baseline and at `share`
    /// of the candidate significant at `alpha` (already corrected for the functions tested), with
    /// `baseSamples` and `candidateSamples` and a true variance ratio `dispersion`. The widening the
    /// gate applies is its own estimate from `blocks` blocks, so it varies around `dispersion`.
    public static func newFunctionDetection(share p: Double, baseSamples n1: Double, candidateSamples n2: Double,
                                            dispersion: Double, alpha: Double, blocks: Int = SampleDispersion.blocks) -> Double {
        guard p > 0, p < 1, n1 >= 1, n2 >= 1 else { return 0 }
        let mean = n2 * p, sd = (max(dispersion, 1) * n2 * p * (1 - p)).squareRoot()
        var power = 0.0
        for node in coarseNormalNodes {
            let estimated = max(1, max(dispersion, 1) * chiSquareQuantile(degrees: blocks - 1, z: node.z) / Double(blocks - 1))
            guard let threshold = smallestSignificantCount(n1: n1, n2: n2, dispersion: estimated, alpha: alpha) else { continue }
            power += node.weight * upperTail(threshold - 0.5, mean: mean, sd: sd)
        }
        return min(1, power)
    }

    /// The smallest candidate count (against 0 in the baseline) the test calls significant; nil if none.
    /// Searched upward from 1 by doubling: the exact test's cost grows with the count, and the
    /// threshold is small next to the sample count wherever the power is worth computing.
    static func smallestSignificantCount(n1: Double, n2: Double, dispersion: Double, alpha: Double) -> Double? {
        func significant(_ x: Double) -> Bool {
            ShareStatistics.twoProportionTest(x1: 0, n1: n1, x2: x, n2: n2, dispersion: dispersion).pValue < alpha
        }
        var high = 1.0
        while !significant(high) {
            if high >= n2 { return nil }
            high = min(n2, high * 2)
        }
        var low = (high / 2).rounded(.down)
        while high - low > 1 {
            let mid = ((low + high) / 2).rounded(.down)
            if significant(mid) { high = mid } else { low = mid }
        }
        return high
    }

    // MARK: which function a diff puts on top

    /// One function's expected self shares on the two sides of a comparison.
    public struct Shares: Sendable, Equatable {
        public var base: Double
        public var candidate: Double
        public init(base: Double, candidate: Double) {
            self.base = base
            self.candidate = candidate
        }
        public var change: Double { candidate - base }
    }

    /// A lower bound on the probability that `leader`'s absolute change is the largest of all (what
    /// `ProfileDiff` sorts by), against each of `others` (union bound), for `n1`/`n2` samples per side.
    public static func topChange(leader: Shares, others: [Shares], n1: Double, n2: Double, dispersion: Double) -> Double {
        guard n1 > 0, n2 > 0 else { return 0 }
        let d = max(dispersion, 1)
        var failure = 0.0
        for other in others {
            // Var of (leader - other) and (leader + other) changes; multinomial shares covary by -s1*s2/n.
            func variance(_ a: Double, _ b: Double, _ n: Double) -> Double { (a * (1 - a) + b * (1 - b) + 2 * a * b) / n }
            let sd = (d * (variance(leader.base, other.base, n1) + variance(leader.candidate, other.candidate, n2))).squareRoot()
            let gapMinus = abs(leader.change) - other.change * (leader.change >= 0 ? 1 : -1)
            let gapPlus = abs(leader.change) + other.change * (leader.change >= 0 ? 1 : -1)
            failure += ShareStatistics.normalCDF(-gapMinus / sd) + ShareStatistics.normalCDF(-gapPlus / sd)
        }
        return max(0, 1 - failure)
    }

    /// A lower bound on the probability that a function at share `leader` of one profile keeps more
    /// samples than each of `others` (union bound) over `samples` with `dispersion`.
    public static func leaderHolds(leader: Double, others: [Double], samples n: Double, dispersion: Double) -> Double {
        guard n > 0 else { return 0 }
        var failure = 0.0
        for other in others {
            // Var(p̂1 - p̂2) of a multinomial: (p1 + p2 - (p1 - p2)^2) / n.
            let sd = (max(dispersion, 1) * (leader + other - (leader - other) * (leader - other)) / n).squareRoot()
            failure += sd > 0 ? ShareStatistics.normalCDF(-(leader - other) / sd) : (leader > other ? 0 : 1)
        }
        return max(0, 1 - failure)
    }

    // MARK: two estimates of one share

    /// The probability that two independent estimates of the same share (`n1` and `n2` samples, their
    /// own variance ratios) differ by no more than `tolerance`.
    public static func agreement(share p: Double, n1: Double, d1: Double = 1, n2: Double, d2: Double = 1, tolerance: Double) -> Double {
        guard n1 > 0, n2 > 0 else { return 0 }
        let sd = (p * (1 - p) * (max(d1, 1) / n1 + max(d2, 1) / n2)).squareRoot()
        guard sd > 0 else { return 1 }
        return max(0, 2 * ShareStatistics.normalCDF(tolerance / sd) - 1)
    }

    // MARK: false alarms

    /// The most false alarms that `comparisons` tests at level `alpha` produce with probability at
    /// least `confidence`: the binomial quantile a calibration's false-alarm count is checked against.
    public static func allowedFalseAlarms(comparisons n: Int, alpha: Double, confidence: Double = target) -> Int {
        guard n > 0 else { return 0 }
        var cumulative = 0.0
        for k in 0...n {
            cumulative += exp(logChoose(n, k) + Double(k) * log(alpha) + Double(n - k) * log1p(-alpha))
            if cumulative >= confidence { return k }
        }
        return n
    }

    private static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n) + 1) - lgamma(Double(k) + 1) - lgamma(Double(n - k) + 1)
    }

    // MARK: sizing

    /// The smallest sample count in `1...limit` at which `power(n)` (non-decreasing in n) reaches
    /// `wanted`; nil when even `limit` does not.
    public static func requiredSamples(wanted: Double = target, limit: Double = 1e8, _ power: (Double) -> Double) -> Double? {
        var high = 16.0
        while power(high) < wanted {
            high *= 2
            if high > limit { return power(limit) >= wanted ? limit : nil }
        }
        var low = high / 2
        while high - low > max(1, low * 0.01) {
            let mid = ((low + high) / 2).rounded(.up)
            if power(mid) >= wanted { high = mid } else { low = mid }
        }
        return high.rounded(.up)
    }
}
