import LabRuntime

/// The fixed-work figures of every configuration from its trials, each with a 95% interval from a
/// two-stage bootstrap: blocks resampled, then pairs resampled within every trial of each drawn block,
/// and every figure recomputed from them.
///
/// A trial's precision varies tenfold with what the host does meanwhile (the order-statistic interval
/// of its median ratio spans ±0.4% in a quiet minute and ±4% in a busy one), so a block's value counts
/// by its precision: the figure over blocks is their mean weighted by 1 / variance, the variance from
/// the half-widths of the trials it is computed from.
struct FixedWorkEstimator {
    /// One configuration's value in one block, and its weight.
    struct BlockValue {
        var block: Int
        /// The twins' reading: ratio over the block's baseline, minus one.
        var measured: Double
        /// The overhead: `measured`, plus the floor's at the same rate for a sampler that interrupts every task.
        var overhead: Double
        var costPerSampleUs: Double?
        var aboveFloorUs: Double?
        var weight: Double
    }

    /// One configuration's figures over blocks.
    struct Figures {
        var overhead: Double?
        var costPerSampleUs: Double?
        var aboveFloorUs: Double?
        /// The twins' reading, for a sampler that interrupts every task: its cost above its own interrupt.
        var aboveInterrupt: Double?
    }

    static let controlA = "control A", controlB = "control B"

    let configurations: [OverheadConfiguration]
    let seed: UInt64
    var resamples = 1000

    /// Each block's values for `configuration` (nil: the A/A control, one control trial over the other).
    func blockValues(_ trials: [FixedWorkMeasurement.Trial], _ configuration: OverheadConfiguration?) -> [BlockValue] {
        let byBlock = Dictionary(grouping: trials, by: \.block)
        return byBlock.keys.sorted().compactMap { block in
            value(in: byBlock[block] ?? [], block: block, configuration)
        }
    }

    /// The weighted means over blocks.
    func figures(_ values: [BlockValue], interruptsEveryTask: Bool) -> Figures {
        Figures(overhead: Self.weightedMean(values.map { ($0.overhead, $0.weight) }),
                costPerSampleUs: Self.weightedMean(values.compactMap { v in v.costPerSampleUs.map { ($0, v.weight) } }),
                aboveFloorUs: Self.weightedMean(values.compactMap { v in v.aboveFloorUs.map { ($0, v.weight) } }),
                aboveInterrupt: interruptsEveryTask ? Self.weightedMean(values.map { ($0.measured, $0.weight) }) : nil)
    }

    /// The figures of every configuration (nil: the A/A control) and of `resamples` bootstrap replicates.
    func replicates(_ trials: [FixedWorkMeasurement.Trial]) -> [[Figures]] {
        var generator = SeededGenerator(seed: seed)
        let blocks = Array(Set(trials.map(\.block))).sorted()
        let byBlock = Dictionary(grouping: trials, by: \.block)
        guard blocks.count >= 2 else { return [] }
        return (0..<resamples).map { _ in
            var drawn: [FixedWorkMeasurement.Trial] = []
            for (index, _) in blocks.enumerated() {
                let source = blocks[Int.random(in: 0..<blocks.count, using: &generator)]
                drawn += (byBlock[source] ?? []).map { trial in Self.resamplingPairs(trial, block: index, using: &generator) }
            }
            return ([nil] + configurations.map(Optional.some)).map { configuration in
                figures(blockValues(drawn, configuration), interruptsEveryTask: configuration?.interruptsEveryTask ?? false)
            }
        }
    }

    private func value(in trials: [FixedWorkMeasurement.Trial], block: Int, _ configuration: OverheadConfiguration?) -> BlockValue? {
        func trial(_ label: String) -> FixedWorkMeasurement.Trial? { trials.first { $0.configuration == label && $0.ratio.isFinite && $0.ratio > 0 } }
        guard let a = trial(Self.controlA), let b = trial(Self.controlB) else { return nil }
        guard let configuration else {
            return BlockValue(block: block, measured: a.ratio / b.ratio - 1, overhead: a.ratio / b.ratio - 1, costPerSampleUs: nil,
                              aboveFloorUs: nil, weight: Self.weight(variance: Self.variance([a, b])))
        }
        let baseline = (a.ratio + b.ratio) / 2
        func measured(_ label: String) -> (Double, FixedWorkMeasurement.Trial)? { trial(label).map { ($0.ratio / baseline - 1, $0) } }
        guard let (own, onTrial) = measured(configuration.label) else { return nil }
        let floor = measured(OverheadConfiguration.floor(configuration.hz).label)
        var overhead = own, sources = [onTrial]
        if configuration.interruptsEveryTask {
            guard let floor else { return nil }
            overhead = (1 + own) * (1 + floor.0) - 1
            sources.append(floor.1)
        }
        let cost = Self.costPerSampleUs(overhead, hz: configuration.hz)
        var aboveFloor: Double?
        if configuration.tool != .floor, let cost, let floor, let floorCost = Self.costPerSampleUs(floor.0, hz: configuration.hz) {
            aboveFloor = cost - floorCost
        }
        // The baseline is the mean of two trials: each adds a quarter of its variance.
        let variance = Self.variance(sources) + (Self.variance([a]) + Self.variance([b])) / 4
        return BlockValue(block: block, measured: own, overhead: overhead, costPerSampleUs: cost, aboveFloorUs: aboveFloor,
                          weight: Self.weight(variance: variance))
    }

    /// One sample's cost, µs: a pid-bound sampler takes hz samples per second of the workload's CPU.
    static func costPerSampleUs(_ overhead: Double, hz: Int) -> Double? {
        hz > 0 ? overhead / (Double(hz) * (1 + overhead)) * 1e6 : nil
    }

    private static func weight(variance: Double) -> Double {
        variance > 0 ? 1 / variance : 1
    }

    /// The sum of the trials' variances, each from half its median's order-statistic interval over 1.96
    /// (0 when a trial has too few pairs for one: every block then counts the same).
    private static func variance(_ trials: [FixedWorkMeasurement.Trial]) -> Double {
        trials.reduce(0) { sum, trial in
            guard let interval = Statistics.medianInterval95(trial.pairRatios) else { return sum }
            let se = (interval.upperBound - interval.lowerBound) / 2 / 1.96
            return sum + se * se
        }
    }

    private static func weightedMean(_ values: [(Double, Double)]) -> Double? {
        let total = values.reduce(0) { $0 + $1.1 }
        guard total > 0 else { return nil }
        return values.reduce(0) { $0 + $1.0 * $1.1 } / total
    }

    private static func resamplingPairs(_ trial: FixedWorkMeasurement.Trial, block: Int, using generator: inout SeededGenerator) -> FixedWorkMeasurement.Trial {
        let count = trial.profiledCPUNs.count
        let picks = (0..<count).map { _ in Int.random(in: 0..<count, using: &generator) }
        return FixedWorkMeasurement.Trial(block: block, position: trial.position, configuration: trial.configuration,
                                          profiledCPUNs: picks.map { trial.profiledCPUNs[$0] }, referenceCPUNs: picks.map { trial.referenceCPUNs[$0] },
                                          wallSeconds: trial.wallSeconds)
    }
}
