import Agent
import Foundation
import LabRuntime

/// The primary overhead method: fixed work on twin processes, interleaved in shuffled blocks,
/// intervals by the bootstrap.
///
/// On this VM a fixed unit's CPU time moves by up to 2x over seconds (other guests on the host share
/// the core: no steal time is reported), so units run seconds apart cannot resolve 1%. Two identical
/// workload processes (twins) on the same CPU therefore run their units alternately, tens of
/// milliseconds apart, and what the host does to one it does to the other: a trial attaches the
/// profiler to the profiled twin only and runs `pairs` units on each, in ABBA order, and its ratio is
/// the median over pairs of profiled CPU over reference CPU. Two twins are never quite equal (their
/// memory layouts differ), so each block also runs two trials with no profiler; their mean ratio is
/// the block's baseline, a configuration's overhead in a block is its ratio over the baseline minus
/// one, and the A/A figure is one control trial's ratio over the other's. The order of trials is
/// shuffled per block (seeded, recorded); FixedWorkEstimator combines the blocks and gives the intervals.
///
/// flamelab and bpftrace sample every task on a CPU and filter by pid in BPF, so their timer
/// interrupt also lands on the reference twin and cancels from the ratio: what the twins measure for
/// them is their cost above their own interrupt. Their total adds the floor's overhead at the same rate
/// in the same block (`perf record` with no call graph: perf's pid-bound interrupt and a sample).
struct FixedWorkMeasurement {
    /// One configuration attached to the profiled twin for `pairs` units on each twin.
    struct Trial: Codable, Sendable {
        var block: Int
        var position: Int
        var configuration: String
        /// Each pair's CPU on the profiled twin, ns.
        var profiledCPUNs: [UInt64]
        /// Each pair's CPU on the reference twin, ns.
        var referenceCPUNs: [UInt64]
        /// The median over pairs of profiled over reference CPU: a burst of contention that hits one
        /// unit of a pair moves one pair, not the trial.
        var ratio: Double
        var wallSeconds: Double
        /// The profiler's own CPU over the trial's units, ns (its process's live threads).
        var profilerCPUNs: UInt64?
        /// The profiler's resident memory at the end of the trial, bytes.
        var profilerResidentBytes: Int?
        /// flamelab only: its run statistics (samples, steady CPU, peak and anonymous RSS).
        var agentStats: AgentRunStats?

        init(block: Int, position: Int, configuration: String, profiledCPUNs: [UInt64], referenceCPUNs: [UInt64], wallSeconds: Double,
             profilerCPUNs: UInt64? = nil, profilerResidentBytes: Int? = nil, agentStats: AgentRunStats? = nil) {
            self.block = block
            self.position = position
            self.configuration = configuration
            self.profiledCPUNs = profiledCPUNs
            self.referenceCPUNs = referenceCPUNs
            ratio = Statistics.median(Self.pairRatios(profiledCPUNs, referenceCPUNs)) ?? .nan
            self.wallSeconds = wallSeconds
            self.profilerCPUNs = profilerCPUNs
            self.profilerResidentBytes = profilerResidentBytes
            self.agentStats = agentStats
        }

        /// Each pair's profiled over reference CPU.
        var pairRatios: [Double] { Self.pairRatios(profiledCPUNs, referenceCPUNs) }

        private static func pairRatios(_ profiled: [UInt64], _ reference: [UInt64]) -> [Double] {
            zip(profiled, reference).compactMap { $1 > 0 ? Double($0) / Double($1) : nil }
        }
    }

    /// A figure over blocks with its 95% bootstrap interval.
    struct Estimate: Codable, Sendable {
        /// The precision-weighted mean over blocks (see FixedWorkEstimator).
        var value: Double
        var low: Double
        var high: Double

        init(value: Double, low: Double, high: Double) {
            self.value = value
            self.low = low
            self.high = high
        }

        /// `value` with the 2.5th and 97.5th percentiles of its bootstrap replicates; nil without either.
        init?(_ value: Double?, replicates: [Double]) {
            guard let value, let low = Statistics.quantile(replicates, 0.025), let high = Statistics.quantile(replicates, 0.975) else { return nil }
            self.value = value
            self.low = low
            self.high = high
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
        /// Per block: CPU under the profiler over the block's control, minus one (for a sampler that
        /// interrupts every task, the twins' figure plus the floor's at the same rate).
        var overheads: [Double]
        /// Per block, a sampler that interrupts every task only: its cost above its own interrupt, what
        /// the twins measure directly.
        var aboveInterrupt: [Double]
        var overhead: Estimate?
        /// What one sample costs the workload, µs: overhead / (hz × (1 + overhead)), since a pid-bound
        /// sampler takes hz samples per second of the workload's CPU.
        var costPerSampleUs: Estimate?
        /// The same per block, minus the floor's (perf with no call graph) at the same rate in that block.
        var aboveFloorUs: Estimate?
        /// A sampler that interrupts every task: its cost above its own interrupt, over blocks.
        var aboveInterruptEstimate: Estimate?
        /// The per-block values `aboveFloorUs` summarizes.
        var aboveFloorPerBlockUs: [Double]
        /// The profiler's own CPU, ms per second of the trial's wall time, median over blocks.
        var profilerCPUMsPerSecond: Double?
        /// flamelab: steady-state CPU of the agent process (rusage after start-up), ms/s, median over blocks.
        var agentSteadyCPUMsPerSecond: Double?
        /// Peak RSS (flamelab: VmHWM; peers: resident at the end of the trial), MiB, largest over blocks.
        var residentMiB: Double?
        /// flamelab: anonymous resident memory once its profile was built, MiB, largest over blocks.
        var anonymousMiB: Double?
        var command: String
    }

    let paths: LabPaths
    let blocks: Int
    /// Blocks after those, of the resolving trials only (the controls and the rates below 999 Hz): the
    /// figures that must resolve ±1% get more blocks at the cost of a few seconds each, the others none.
    var resolvingBlocks = 0
    let seed: UInt64
    /// Units per twin in a trial, alternating between the twins.
    var pairs = 30
    /// The controls and the configurations below 999 Hz run this many times `pairs`: their figures lie
    /// near zero and must resolve ±1%, and the controls' baseline divides every configuration's ratio.
    var resolvingFactor = 3

    /// Units per twin in a trial of `configuration`.
    func pairs(for configuration: OverheadConfiguration) -> Int {
        configuration.tool == .none || configuration.hz < 999 ? pairs * resolvingFactor : pairs
    }

    /// Whether `configuration` (nil: a control) is one of the resolving trials.
    func isResolving(_ configuration: OverheadConfiguration?) -> Bool {
        configuration.map { pairs(for: $0) > pairs } ?? true
    }

    /// Runs every block on the twins and returns the A/A control's result first, then each configuration's.
    func run(reference: FixedWorkload, profiled: FixedWorkload, configurations: [OverheadConfiguration],
             progress: ProgressLine) throws -> (results: [Result], trials: [Trial]) {
        let controlA = "control A", controlB = "control B"
        var trials: [Trial] = []
        var generator = SeededGenerator(seed: seed)
        let labels = [controlA, controlB] + configurations.map(\.label)
        for block in 0..<(blocks + resolvingBlocks) {
            let included = labels.indices.filter { block < blocks || isResolving($0 < 2 ? nil : configurations[$0 - 2]) }
            let order = included.shuffled(using: &generator)
            for (position, index) in order.enumerated() {
                progress.update("overhead: \(profiled.kind.rawValue), block \(block + 1)/\(blocks + resolvingBlocks), \(position + 1)/\(order.count): \(labels[index])")
                let configuration = index < 2 ? OverheadConfiguration.control : configurations[index - 2]
                var trial = try runTrial(reference: reference, profiled: profiled, configuration: configuration)
                trial.block = block
                trial.position = position
                trial.configuration = labels[index]
                trials.append(trial)
            }
        }
        return (summarize(trials, workload: profiled.kind, configurations: configurations, pid: profiled.pid), trials)
    }

    private func runTrial(reference: FixedWorkload, profiled: FixedWorkload, configuration: OverheadConfiguration) throws -> Trial {
        let profiler = try ProfilerUnderTest.attach(configuration, pid: profiled.pid, paths: paths)
        let profilerBefore = profiler?.cpuNanoseconds()
        let start = Date()
        var profiledCPU: [UInt64] = [], referenceCPU: [UInt64] = []
        for pair in 0..<max(pairs(for: configuration), 1) {
            // ABBA: neither twin always runs first, after the lab's own wake-up.
            if pair % 2 == 0 {
                referenceCPU.append(try reference.runUnit())
                profiledCPU.append(try profiled.runUnit())
            } else {
                profiledCPU.append(try profiled.runUnit())
                referenceCPU.append(try reference.runUnit())
            }
        }
        let wall = Date().timeIntervalSince(start)
        let profilerCPU = profiler.map { $0.cpuNanoseconds() &- (profilerBefore ?? 0) }
        let resident = profiler?.residentBytes()
        let stats = try profiler?.stop()
        return Trial(block: 0, position: 0, configuration: configuration.label, profiledCPUNs: profiledCPU, referenceCPUNs: referenceCPU,
                     wallSeconds: wall, profilerCPUNs: profilerCPU, profilerResidentBytes: resident, agentStats: stats)
    }

    /// Each configuration's estimates from the trials of every block (the A/A control first).
    func summarize(_ trials: [Trial], workload: FixedWorkload.Kind, configurations: [OverheadConfiguration], pid: Int32) -> [Result] {
        let estimator = FixedWorkEstimator(configurations: configurations, seed: seed)
        let replicates = estimator.replicates(trials)
        func estimate(_ index: Int, _ value: Double?, _ figure: (FixedWorkEstimator.Figures) -> Double?) -> Estimate? {
            Estimate(value, replicates: replicates.compactMap { figure($0[index]) })
        }
        let aa = estimator.blockValues(trials, nil)
        let aaFigures = estimator.figures(aa, interruptsEveryTask: false)
        var results = [Result(workload: workload, configuration: .control, label: OverheadConfiguration.control.label, blocks: aa.count,
                              overheads: aa.map(\.overhead), aboveInterrupt: [], overhead: estimate(0, aaFigures.overhead, \.overhead),
                              costPerSampleUs: nil, aboveFloorUs: nil, aboveInterruptEstimate: nil, aboveFloorPerBlockUs: [],
                              profilerCPUMsPerSecond: nil, agentSteadyCPUMsPerSecond: nil, residentMiB: nil, anonymousMiB: nil, command: "-")]
        for (offset, configuration) in configurations.enumerated() {
            let index = offset + 1
            let own = trials.filter { $0.configuration == configuration.label }
            let values = estimator.blockValues(trials, configuration)
            let figures = estimator.figures(values, interruptsEveryTask: configuration.interruptsEveryTask)
            results.append(Result(
                workload: workload, configuration: configuration, label: configuration.label, blocks: values.count,
                overheads: values.map(\.overhead), aboveInterrupt: configuration.interruptsEveryTask ? values.map(\.measured) : [],
                overhead: estimate(index, figures.overhead, \.overhead), costPerSampleUs: estimate(index, figures.costPerSampleUs, \.costPerSampleUs),
                aboveFloorUs: estimate(index, figures.aboveFloorUs, \.aboveFloorUs),
                aboveInterruptEstimate: estimate(index, figures.aboveInterrupt, \.aboveInterrupt),
                aboveFloorPerBlockUs: values.compactMap(\.aboveFloorUs),
                profilerCPUMsPerSecond: Statistics.median(own.compactMap { trial in trial.profilerCPUNs.map { Double($0) / 1e6 / max(trial.wallSeconds, 1e-3) } }),
                agentSteadyCPUMsPerSecond: Statistics.median(own.compactMap(Self.steadyCPUMsPerSecond)),
                residentMiB: own.compactMap(Self.residentMiB).max(),
                anonymousMiB: own.compactMap { $0.agentStats?.residentAtEnd.map { Double($0.anonymousBytes) / 1_048_576 } }.max(),
                command: configuration.commandLine(pid: pid)))
        }
        return results
    }

    private static func steadyCPUMsPerSecond(_ trial: Trial) -> Double? {
        guard let stats = trial.agentStats, let cpu = stats.steadyCPUSeconds, let seconds = stats.steadySeconds, seconds > 0 else { return nil }
        return cpu / seconds * 1000
    }

    private static func residentMiB(_ trial: Trial) -> Double? {
        trial.agentStats.map { Double($0.peakRSSBytes) / 1_048_576 } ?? trial.profilerResidentBytes.map { Double($0) / 1_048_576 }
    }
}
