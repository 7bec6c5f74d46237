import Agent
import Foundation
import LabRuntime

/// The primary overhead method: fixed work, interleaved in shuffled blocks, intervals by the bootstrap.
///
/// Each block runs one unit of the workload with no profiler twice (the A/A control) and once under
/// every configuration, in an order shuffled per block (seeded, recorded), so that a drift of the machine
/// spreads over all configurations instead of favouring one. A configuration's overhead in a block is its
/// unit's CPU over the mean of the block's two control units, minus one; the A/A figure is one control
/// unit over the other. Medians over blocks come with 95% percentile-bootstrap intervals over blocks.
struct FixedWorkMeasurement {
    /// One unit under one configuration.
    struct Trial: Codable, Sendable {
        var block: Int
        var position: Int
        var configuration: String
        /// The smallest of the trial's units. Contention from outside (other work, other guests on the
        /// host: on this VM a fixed unit's CPU time ranged over 40% with no steal time reported) only
        /// adds CPU time to a unit, so the least-disturbed unit estimates the work's own cost; every
        /// configuration and the control are reduced the same way, from the same number of units.
        var cpuNs: UInt64
        /// Every unit's CPU, ns.
        var unitCPUNs: [UInt64]
        var wallSeconds: Double
        /// The profiler's own CPU over the unit, ns (its process's live threads).
        var profilerCPUNs: UInt64?
        /// The profiler's resident memory at the end of the unit, bytes.
        var profilerResidentBytes: Int?
        /// flamelab only: its run statistics (samples, steady CPU, peak and anonymous RSS).
        var agentStats: AgentRunStats?
    }

    /// A median with its 95% bootstrap interval.
    struct Estimate: Codable, Sendable {
        var median: Double
        var low: Double
        var high: Double

        init(median: Double, low: Double, high: Double) {
            self.median = median
            self.low = low
            self.high = high
        }

        init?(_ values: [Double], seed: UInt64) {
            guard let median = Statistics.median(values), let interval = Statistics.bootstrapInterval(values, seed: seed) else { return nil }
            self.median = median
            low = interval.lowerBound
            high = interval.upperBound
        }

        /// Half the interval's width.
        var halfWidth: Double { (high - low) / 2 }
        func overlaps(_ other: Estimate) -> Bool { low <= other.high && other.low <= high }
    }

    /// One configuration on one workload over all blocks.
    struct Result: Codable, Sendable {
        var workload: FixedWorkload.Kind
        var configuration: OverheadConfiguration
        var label: String
        var blocks: Int
        /// Per block: CPU under the profiler over the block's control, minus one.
        var overheads: [Double]
        var overhead: Estimate?
        /// What one sample costs the workload, µs: overhead / (hz × (1 + overhead)), since a pid-bound
        /// sampler takes hz samples per second of the workload's CPU.
        var costPerSampleUs: Estimate?
        /// The same per block, minus the floor's (perf with no call graph) at the same rate in that block.
        var aboveFloorUs: Estimate?
        /// The per-block values `aboveFloorUs` summarizes.
        var aboveFloorPerBlockUs: [Double]
        /// The profiler's own CPU, ms per second of the unit's wall time, median over blocks.
        var profilerCPUMsPerSecond: Double?
        /// flamelab: steady-state CPU of the agent process (rusage after start-up), ms/s, median over blocks.
        var agentSteadyCPUMsPerSecond: Double?
        /// Peak RSS (flamelab: VmHWM; peers: resident at the end of the unit), MiB, largest over blocks.
        var residentMiB: Double?
        /// flamelab: anonymous resident memory once its profile was built, MiB, largest over blocks.
        var anonymousMiB: Double?
        var command: String
    }

    let paths: LabPaths
    let blocks: Int
    let seed: UInt64
    /// Units run back to back under one attachment; the smallest counts.
    var unitsPerTrial = 3

    /// Runs every block on `workload` and returns the A/A control's result first, then each configuration's.
    func run(_ workload: FixedWorkload, configurations: [OverheadConfiguration], progress: ProgressLine) throws -> (results: [Result], trials: [Trial]) {
        let controlA = "control A", controlB = "control B"
        var trials: [Trial] = []
        var generator = SeededGenerator(seed: seed)
        let labels = [controlA, controlB] + configurations.map(\.label)
        for block in 0..<blocks {
            let order = labels.indices.shuffled(using: &generator)
            for (position, index) in order.enumerated() {
                progress.update("overhead: \(workload.kind.rawValue), block \(block + 1)/\(blocks), \(position + 1)/\(order.count): \(labels[index])")
                let configuration = index < 2 ? OverheadConfiguration.control : configurations[index - 2]
                var trial = try runTrial(workload, configuration: configuration)
                trial.block = block
                trial.position = position
                trial.configuration = labels[index]
                trials.append(trial)
            }
        }
        return (summarize(trials, workload: workload.kind, configurations: configurations, pid: workload.pid), trials)
    }

    private func runTrial(_ workload: FixedWorkload, configuration: OverheadConfiguration) throws -> Trial {
        let profiler = try ProfilerUnderTest.attach(configuration, pid: workload.pid, paths: paths)
        let profilerBefore = profiler?.cpuNanoseconds()
        let start = Date()
        let units = try (0..<max(unitsPerTrial, 1)).map { _ in try workload.runUnit() }
        let wall = Date().timeIntervalSince(start)
        let profilerCPU = profiler.map { $0.cpuNanoseconds() &- (profilerBefore ?? 0) }
        let resident = profiler?.residentBytes()
        let stats = try profiler?.stop()
        return Trial(block: 0, position: 0, configuration: configuration.label, cpuNs: units.min() ?? 0, unitCPUNs: units, wallSeconds: wall,
                     profilerCPUNs: profilerCPU, profilerResidentBytes: resident, agentStats: stats)
    }

    /// Each configuration's estimates from the units of every block (the A/A control first).
    func summarize(_ trials: [Trial], workload: FixedWorkload.Kind, configurations: [OverheadConfiguration], pid: Int32) -> [Result] {
        let byBlock = Dictionary(grouping: trials, by: \.block)
        func unit(_ label: String, _ block: Int) -> Trial? { byBlock[block]?.first { $0.configuration == label } }
        func baseline(_ block: Int) -> Double? {
            guard let a = unit("control A", block), let b = unit("control B", block) else { return nil }
            return (Double(a.cpuNs) + Double(b.cpuNs)) / 2
        }
        let blocks = byBlock.keys.sorted()
        let aa = blocks.compactMap { block -> Double? in
            guard let a = unit("control A", block), let b = unit("control B", block), b.cpuNs > 0 else { return nil }
            return Double(a.cpuNs) / Double(b.cpuNs) - 1
        }
        var results = [Result(workload: workload, configuration: .control, label: OverheadConfiguration.control.label, blocks: aa.count,
                              overheads: aa, overhead: Estimate(aa, seed: seed), costPerSampleUs: nil, aboveFloorUs: nil, aboveFloorPerBlockUs: [],
                              profilerCPUMsPerSecond: nil, agentSteadyCPUMsPerSecond: nil, residentMiB: nil, anonymousMiB: nil, command: "-")]
        func perSample(_ configuration: OverheadConfiguration, _ block: Int) -> Double? {
            guard configuration.hz > 0, let on = unit(configuration.label, block), let base = baseline(block) else { return nil }
            let r = Double(on.cpuNs) / base - 1
            return r / (Double(configuration.hz) * (1 + r)) * 1e6
        }
        for configuration in configurations {
            let own = blocks.compactMap { unit(configuration.label, $0) }
            let overheads = blocks.compactMap { block -> Double? in
                guard let on = unit(configuration.label, block), let base = baseline(block) else { return nil }
                return Double(on.cpuNs) / base - 1
            }
            let costs = blocks.compactMap { perSample(configuration, $0) }
            let floor = OverheadConfiguration.floor(configuration.hz)
            let aboveFloor = configuration.tool == .floor ? [] : blocks.compactMap { block -> Double? in
                guard let cost = perSample(configuration, block), let floorCost = perSample(floor, block) else { return nil }
                return cost - floorCost
            }
            let steady = own.compactMap { trial -> Double? in
                guard let stats = trial.agentStats, let cpu = stats.steadyCPUSeconds, let seconds = stats.steadySeconds, seconds > 0 else { return nil }
                return cpu / seconds * 1000
            }
            let anonymous = own.compactMap { $0.agentStats?.residentAtEnd.map { Double($0.anonymousBytes) / 1_048_576 } }
            let resident = own.compactMap { trial -> Double? in
                trial.agentStats.map { Double($0.peakRSSBytes) / 1_048_576 } ?? trial.profilerResidentBytes.map { Double($0) / 1_048_576 }
            }
            results.append(Result(
                workload: workload, configuration: configuration, label: configuration.label, blocks: overheads.count,
                overheads: overheads, overhead: Estimate(overheads, seed: seed), costPerSampleUs: Estimate(costs, seed: seed),
                aboveFloorUs: Estimate(aboveFloor, seed: seed), aboveFloorPerBlockUs: aboveFloor,
                profilerCPUMsPerSecond: Statistics.median(own.compactMap { trial in trial.profilerCPUNs.map { Double($0) / 1e6 / max(trial.wallSeconds, 1e-3) } }),
                agentSteadyCPUMsPerSecond: Statistics.median(steady), residentMiB: resident.max(), anonymousMiB: anonymous.max(),
                command: configuration.commandLine(pid: pid)))
        }
        return results
    }
}
