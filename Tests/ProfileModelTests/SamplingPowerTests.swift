import Foundation
import ProfileModel
import Testing

@Suite("Sampling power")
struct SamplingPowerTests {
    static func binomial(_ n: Int, _ p: Double, _ rng: inout SeededGenerator) -> Int {
        (0..<n).reduce(0) { count, _ in count + (Double.random(in: 0..<1, using: &rng) < p ? 1 : 0) }
    }

    @Test("chi-square quantiles match tables (Wilson-Hilferty)")
    func chiSquare() {
        // Tables: chi2(9) 5% = 3.325, 50% = 8.343, 99% = 21.666.
        #expect(abs(SamplingPower.chiSquareQuantile(degrees: 9, z: ShareStatistics.normalQuantile(0.05)) - 3.325) < 0.06)
        #expect(abs(SamplingPower.chiSquareQuantile(degrees: 9, z: 0) - 8.343) < 0.05)
        #expect(abs(SamplingPower.chiSquareQuantile(degrees: 9, z: ShareStatistics.normalQuantile(0.99)) - 21.666) < 0.15)
    }

    @Test("the gate's detection power of a new function grows with the samples")
    func detectionGrows() {
        let alpha = 0.01 / 10
        let small = SamplingPower.newFunctionDetection(share: 0.1, baseSamples: 100, candidateSamples: 100, dispersion: 1, alpha: alpha)
        let large = SamplingPower.newFunctionDetection(share: 0.1, baseSamples: 2000, candidateSamples: 2000, dispersion: 1, alpha: alpha)
        #expect(small < 0.5)
        #expect(large > 0.999)
        // The failing canary: 390 samples a side, 9% share, a variance ratio of 4: a coin flip, not a check.
        let seen = SamplingPower.newFunctionDetection(share: 0.09, baseSamples: 390, candidateSamples: 390, dispersion: 4, alpha: 0.01 / 6)
        #expect(seen > 0.2 && seen < 0.9, "\(seen)")
    }

    @Test("detection power agrees with a simulation of the gate's own test (independent samples)")
    func detectionMatchesSimulation() {
        var rng = SeededGenerator(seed: 42)
        let n = 300, p = 0.04, alpha = 0.001
        let trials = 2000
        // With a huge block count the widening is fixed at 1, as in the simulation.
        let detected = (0..<trials).filter { _ in
            let x = Self.binomial(n, p, &rng)
            return ShareStatistics.twoProportionTest(x1: 0, n1: Double(n), x2: Double(x), n2: Double(n)).pValue < alpha
        }.count
        let model = SamplingPower.newFunctionDetection(share: p, baseSamples: Double(n), candidateSamples: Double(n),
                                                       dispersion: 1, alpha: alpha, blocks: 100_000)
        #expect(abs(Double(detected) / Double(trials) - model) < 0.05, "simulated \(detected)/\(trials), model \(model)")
    }

    @Test("a diff's top change: the simulated rate is at least the bound")
    func topChangeBound() {
        var rng = SeededGenerator(seed: 7)
        let base = [0.5, 0.3, 0.2], planted = 0.08
        let cand = base.map { $0 * (1 - planted) } + [planted]
        let n = 400
        func draw(_ shares: [Double]) -> [Int] {
            var counts = [Int](repeating: 0, count: shares.count)
            for _ in 0..<n {
                var u = Double.random(in: 0..<1, using: &rng)
                for (i, s) in shares.enumerated() {
                    if u < s || i == shares.count - 1 { counts[i] += 1; break }
                    u -= s
                }
            }
            return counts
        }
        let trials = 2000
        let onTop = (0..<trials).filter { _ in
            let b = draw(base + [0]), c = draw(cand)
            let changes = (0..<4).map { abs(Double(c[$0] - b[$0]) / Double(n)) }
            return changes[3] > changes[0..<3].max()!
        }.count
        let bound = SamplingPower.topChange(leader: .init(base: 0, candidate: planted),
                                            others: base.map { .init(base: $0, candidate: $0 * (1 - planted)) },
                                            n1: Double(n), n2: Double(n), dispersion: 1)
        #expect(Double(onTop) / Double(trials) >= bound - 0.03, "simulated \(onTop)/\(trials), bound \(bound)")
        #expect(bound > 0.5)
    }

    @Test("two estimates of one share agree within a tolerance as often as the normal model says")
    func agreement() {
        let p = SamplingPower.agreement(share: 0.5, n1: 10_000, n2: 10_000, tolerance: 0.02)
        // sd of the difference = sqrt(0.25 * 2 / 10000) = 0.00707: 0.02 is 2.83 sd, two-sided 99.53%.
        #expect(abs(p - 0.9953) < 0.001)
    }

    @Test("false alarms allowed at alpha: the binomial 99.9% quantile")
    func allowedFalseAlarms() {
        // Bin(2, 0.01): P(0) = 0.9801, P(<=1) = 0.9999. Bin(10, 0.01): P(<=1) = 0.9957, P(<=2) = 0.99989.
        #expect(SamplingPower.allowedFalseAlarms(comparisons: 2, alpha: 0.01) == 1)
        #expect(SamplingPower.allowedFalseAlarms(comparisons: 10, alpha: 0.01) == 2)
        #expect(SamplingPower.allowedFalseAlarms(comparisons: 0, alpha: 0.01) == 0)
    }

    @Test("required samples invert a known power curve")
    func requiredSamples() throws {
        let n = try #require(SamplingPower.requiredSamples(wanted: 0.999) { 1 - exp(-$0 / 100) })
        #expect(abs(n - 690.8) / 690.8 < 0.02)
        #expect(SamplingPower.requiredSamples(wanted: 0.999, limit: 1000) { _ in 0.5 } == nil)
    }

    @Test("bounds: dispersion upper bound above the estimate, share lower bound below the share")
    func bounds() {
        #expect(SamplingPower.dispersionUpperBound(2, blocks: 30) > 2)
        #expect(SamplingPower.dispersionUpperBound(0.5, blocks: 30) > 1)
        #expect(SamplingPower.shareLowerBound(0.1, samples: 1000, dispersion: 2) < 0.1)
    }
}
