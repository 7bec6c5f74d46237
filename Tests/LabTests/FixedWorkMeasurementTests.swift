@testable import Lab
import LabRuntime
import Testing

/// The fixed-work estimates from twins' units of known CPU (no processes): the baseline from the
/// control trials, overhead, per-sample cost, the floor's part for samplers that interrupt every
/// task, and the A/A control.
@Suite struct FixedWorkMeasurementTests {
    static let floor = OverheadConfiguration.floor(9999)
    static let perfG = OverheadConfiguration.peer(.perfFramePointer, 9999)
    static let fp = OverheadConfiguration.flamelab(9999, .fp)

    /// Blocks whose profiled twin is 1% and 3% slower than the reference in the two control trials (a
    /// baseline of 1.02, the A/A 1.01 / 1.03 - 1), the floor and perf -g 10% and 11% above the
    /// baseline, and flamelab 2% above it (its interrupt also hits the reference), with a drift per block
    /// that both twins share and one pair per trial hit by a burst of contention.
    static func trials(blocks: Int) -> [FixedWorkMeasurement.Trial] {
        (0..<blocks).flatMap { block -> [FixedWorkMeasurement.Trial] in
            let drift = 1 + Double(block % 3) * 0.05
            let ratios = [("control A", 1.01), ("control B", 1.03), (floor.label, 1.02 * 1.10), (perfG.label, 1.02 * 1.11), (fp.label, 1.02 * 1.02)]
            return ratios.enumerated().map { position, trial in
                let reference = (0..<5).map { pair in UInt64(1e9 * drift * (pair == 3 ? 1.8 : 1)) }
                let profiled = reference.enumerated().map { pair, ns in UInt64(Double(ns) * trial.1 * (pair == 3 ? 0.7 : 1)) }
                return FixedWorkMeasurement.Trial(block: block, position: position, configuration: trial.0, profiledCPUNs: profiled,
                                                  referenceCPUNs: reference, wallSeconds: 1)
            }
        }
    }

    static func summarize(_ trials: [FixedWorkMeasurement.Trial], blocks: Int) -> [FixedWorkMeasurement.Result] {
        FixedWorkMeasurement(paths: LabPaths(), blocks: blocks, seed: 1)
            .summarize(trials, workload: .sqlite, configurations: [floor, perfG, fp], pid: 1)
    }

    @Test func overheadAndPerSampleCostFollowFromTheTwins() throws {
        let results = Self.summarize(Self.trials(blocks: 6), blocks: 6)
        #expect(results.map(\.configuration) == [.control, Self.floor, Self.perfG, Self.fp])
        let control = try #require(results[0].overhead)
        #expect(abs(control.value - (1.01 / 1.03 - 1)) < 1e-6)
        let perfG = try #require(results[2].overhead)
        #expect(abs(perfG.value - 0.11) < 1e-6)
        #expect(perfG.low <= perfG.value && perfG.value <= perfG.high)
        // One sample costs r / (hz (1 + r)): 0.11 / (9999 x 1.11) s.
        let cost = try #require(results[2].costPerSampleUs)
        #expect(abs(cost.value - 0.11 / (9999 * 1.11) * 1e6) < 1e-3)
        let above = try #require(results[2].aboveFloorUs)
        #expect(abs(above.value - (0.11 / 1.11 - 0.10 / 1.10) / 9999 * 1e6) < 1e-3)
        #expect(results[1].aboveFloorUs == nil)
        #expect(results[2].aboveInterrupt.isEmpty)
    }

    @Test func aSamplerThatInterruptsEveryTaskAddsTheFloorsInterrupt() throws {
        let fp = Self.summarize(Self.trials(blocks: 4), blocks: 4)[3]
        #expect(fp.aboveInterrupt.allSatisfy { abs($0 - 0.02) < 1e-6 })
        let overhead = try #require(fp.overhead)
        #expect(abs(overhead.value - (1.02 * 1.10 - 1)) < 1e-6)
    }

    @Test func aMissingTrialDropsItsBlockOnly() {
        let trials = Self.trials(blocks: 4).filter { !($0.block == 2 && $0.configuration == "control B") && !($0.block == 1 && $0.configuration == Self.floor.label) }
        let results = Self.summarize(trials, blocks: 4)
        #expect(results[0].blocks == 3)
        #expect(results[2].blocks == 3)
        // flamelab also needs the floor of its block.
        #expect(results[3].blocks == 2)
    }

    /// Twenty pairs per trial around `ratio`, spread by ±`spread` in turn.
    static func trial(_ label: String, block: Int, ratio: Double, spread: Double) -> FixedWorkMeasurement.Trial {
        let reference = [UInt64](repeating: 10_000_000, count: 20)
        let profiled = reference.indices.map { pair in UInt64(1e7 * ratio * (1 + spread * Double(pair % 5 - 2) / 2)) }
        return FixedWorkMeasurement.Trial(block: block, position: 0, configuration: label, profiledCPUNs: profiled, referenceCPUNs: reference, wallSeconds: 1)
    }

    @Test func aNoisyBlockCountsByItsPrecision() throws {
        let trials = (0..<3).flatMap { block -> [FixedWorkMeasurement.Trial] in
            let spread = block == 2 ? 0.4 : 0.002
            return [Self.trial("control A", block: block, ratio: 1, spread: spread), Self.trial("control B", block: block, ratio: 1, spread: spread),
                    Self.trial(Self.perfG.label, block: block, ratio: block == 2 ? 1.3 : 1.1, spread: spread)]
        }
        let results = FixedWorkMeasurement(paths: LabPaths(), blocks: 3, seed: 1).summarize(trials, workload: .sqlite, configurations: [Self.perfG], pid: 1)
        let overhead = try #require(results[1].overhead)
        // Unweighted, the noisy block would pull the mean to +16.7%.
        #expect(abs(overhead.value - 0.10) < 0.005)
        #expect(overhead.low <= overhead.value && overhead.value <= overhead.high)
        #expect(results[1].overheads.count == 3)
    }
}
