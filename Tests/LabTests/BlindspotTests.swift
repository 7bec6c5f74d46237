import Foundation
import Lab
import ProfileModel
import Testing

/// The blind-spot scenario's arithmetic: intervals, windowing of samples, spreads, and its chart.
@Suite struct BlindspotTests {
    @Test func intervalFollowsTheNormalApproximation() {
        let estimate = ShareEstimate(hits: 25, samples: 100)
        #expect(estimate.share == 0.25)
        #expect(abs(estimate.halfWidth - 1.96 * (0.25 * 0.75 / 100).squareRoot()) < 1e-12)
        #expect(estimate.covers(0.30))
        #expect(!estimate.covers(0.40))
        #expect(estimate.covers(0.35, tolerance: 0.02))
    }

    @Test func emptyEstimateCoversNothing() {
        let empty = ShareEstimate(hits: 0, samples: 0)
        #expect(!empty.covers(0))
        #expect(empty.lower == 0 && empty.upper == 1)
    }

    @Test func timelineCountsHitsPerWindow() {
        var profile = Profile()
        let hot = [Frame(name: "main"), Frame(name: "static ShopService.TaxCalculator.roundToCents(Swift.Double) -> Swift.Double")]
        let cold = [Frame(name: "main"), Frame(name: "other")]
        for time in stride(from: UInt64(0), to: 100, by: 10) {
            profile.add(stack: time < 50 ? hot : cold, value: 1, labels: SampleLabels(pid: 7, tid: 7, timestampNs: time))
        }
        profile.add(stack: hot, value: 1, labels: SampleLabels(pid: 8, tid: 8, timestampNs: 5)) // another process
        let timeline = SampleTimeline(profile: profile, pid: 7, functions: ["TaxCalculator.roundToCents", "nothing"])
        #expect(timeline.estimate(function: 0, from: 0, to: 100) == ShareEstimate(hits: 5, samples: 10))
        #expect(timeline.estimate(function: 0, from: 40, to: 60) == ShareEstimate(hits: 1, samples: 2))
        #expect(timeline.estimate(function: 1, from: 0, to: 100).hits == 0)
        #expect(timeline.estimate(function: 0, from: 200, to: 300).samples == 0)
    }

    @Test func spreadCountsWindowsBelowAndAboveTheTruth() {
        let estimates = [ShareEstimate(hits: 0, samples: 100), ShareEstimate(hits: 10, samples: 100), ShareEstimate(hits: 50, samples: 100)]
        let spread = WindowSpread(hz: 100, estimates: estimates, truths: [0.1, 0.1, 0.1])
        #expect(spread.below == 1)
        #expect(spread.above == 1)
        #expect(abs(spread.coverage - 1.0 / 3) < 1e-12)
        #expect(spread.minShare == 0 && spread.maxShare == 0.5)
    }

    @Test("the robust spread sees lattice estimates (where the MAD is 0) and shrugs off one disturbed window")
    func robustSpread() {
        // 19 Hz: most windows land on one multiple of 1/19, a few on the neighbours.
        let lattice = [15, 15, 15, 15, 15, 15, 15, 14, 16, 13].map { ShareEstimate(hits: $0, samples: 19) }
        let latticeSpread = WindowSpread(hz: 19, estimates: lattice, truths: Array(repeating: 0.8, count: lattice.count))
        #expect(latticeSpread.shareRobustSD > 0.01, "robust SD \(latticeSpread.shareRobustSD) of a spread lattice")
        // 999 Hz: tight estimates and one window where the load stalled.
        let tight = [800, 810, 790, 800, 805, 795, 800, 500].map { ShareEstimate(hits: $0, samples: 1000) }
        let tightSpread = WindowSpread(hz: 999, estimates: tight, truths: Array(repeating: 0.8, count: tight.count))
        #expect(tightSpread.shareSD > 0.1)
        #expect(tightSpread.shareRobustSD < 0.012, "robust SD \(tightSpread.shareRobustSD) inflated by one window")
    }

    @Test func plotDrawsOneBarPerEstimateAndTheReferenceLine() {
        let plot = ShareIntervalPlot(
            title: "t<1>", yLabel: "share",
            groups: [.init(label: "19 Hz\n1-s windows", points: [.init(estimate: ShareEstimate(hits: 3, samples: 10), truth: 0.3),
                                                                   .init(estimate: ShareEstimate(hits: 0, samples: 0))], color: "#123456")],
            references: [.init(label: "truth", value: 0.3, color: "black")]
        )
        let svg = plot.svg()
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.hasSuffix("</svg>\n"))
        #expect(svg.contains("t&lt;1&gt;"))
        #expect(svg.components(separatedBy: "<circle").count == 2) // the empty estimate draws nothing
        #expect(svg.contains("stroke-dasharray"))
    }
}
