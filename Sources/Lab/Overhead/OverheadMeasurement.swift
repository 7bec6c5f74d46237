import ProfileModel
import Agent
import Foundation
import LabRuntime

/// Measures one configuration's overhead on the service: off/on repetitions under the same open-loop
/// load, in ABBA order (off-on, on-off, ...) so that a drift of the machine over the run cancels
/// instead of reading as overhead. Service CPU per request comes from the live threads' schedstat (ns).
public struct OverheadMeasurement: Sendable {
    /// One off/on pair.
    public struct Pair: Codable, Sendable {
        public var offCPUPerRequestUs: Double
        public var onCPUPerRequestUs: Double
        public var offP99Ms: Double
        public var onP99Ms: Double
        /// Service CPU and the profiler's own CPU over the "on" window, ns.
        public var onServiceCPUNs: Double
        public var profilerCPUNs: Double
        public var onSeconds: Double
        /// flamelab only: CPU samples the agent recorded in the "on" window.
        public var samples: Int?
        public var ratio: Double { onCPUPerRequestUs / offCPUPerRequestUs - 1 }
        /// The service's extra CPU over the "on" window per recorded sample, µs: what one sample costs
        /// the service (timer interrupt, perf overflow handling, the BPF program). Needs many samples
        /// per window to stand above the noise: measured at 999 and 9999 Hz.
        public var costPerSampleUs: Double? {
            guard let samples, samples > 0, onCPUPerRequestUs > 0 else { return nil }
            return onServiceCPUNs * (1 - offCPUPerRequestUs / onCPUPerRequestUs) / Double(samples) / 1000
        }
    }

    /// The configuration's result over all pairs.
    public struct Result: Codable, Sendable {
        public var configuration: OverheadConfiguration
        public var command: String
        public var pairs: [Pair]
        public var overheadMedian: Double
        public var overheadMin: Double
        public var overheadMax: Double
        public var p99DeltaMsMedian: Double
        /// The profiler process's CPU while the load ran, ms per second (all tools).
        public var profilerCPUMsPerSecond: Double?
        /// flamelab only: samples per run, BPF ns per CPU-sampler run, peak RSS of `lab record`.
        public var samplesPerRun: Double?
        public var bpfNanosecondsPerRun: Double?
        public var agentPeakRSSMiB: Double?
        /// flamelab only: the agent's anonymous resident memory once its profiles are built (its own
        /// pages; the rest of its RSS is clean code pages of shared libraries), MiB, the largest over runs.
        public var agentAnonymousMiB: Double?
        /// flamelab only: BPF sampler time in the window over the service's own CPU time (an upper bound:
        /// every run is counted), the part of the overhead the kernel measures directly.
        public var bpfShareOfServiceCPU: Double?
        /// flamelab only: median and range over pairs of the service's extra CPU per sample, µs.
        public var costPerSampleUs: Double?
        public var costPerSampleUsMin: Double?
        public var costPerSampleUsMax: Double?
    }

    public var service: ServiceInstance
    public var load: LoadOptions
    public var repetitions: Int
    public var paths: LabPaths

    /// Measures `configuration` over `pairs` off/on pairs (default: `repetitions`).
    public func run(_ configuration: OverheadConfiguration, pairs pairCount: Int? = nil, progress: ProgressLine?) throws -> Result {
        var pairs: [Pair] = []
        var agentStats: [AgentRunStats] = []
        let count = pairCount ?? repetitions
        for rep in 0..<count {
            progress?.update("overhead: \(configuration.label), pair \(rep + 1)/\(count)")
            let onFirst = rep % 2 == 1
            let early = onFirst ? nil : try measureLoad()
            let (on, stats) = try measureOn(configuration)
            let off = try early ?? measureLoad()
            if let stats { agentStats.append(stats) }
            pairs.append(Pair(offCPUPerRequestUs: off.cpuUs, onCPUPerRequestUs: on.load.cpuUs, offP99Ms: off.p99, onP99Ms: on.load.p99,
                              onServiceCPUNs: on.load.cpuNs, profilerCPUNs: on.profilerCPUNs, onSeconds: on.load.seconds, samples: stats?.cpuSamples))
        }
        return summarize(configuration, pairs: pairs, agentStats: agentStats)
    }

    private func summarize(_ configuration: OverheadConfiguration, pairs: [Pair], agentStats: [AgentRunStats]) -> Result {
        let ratios = pairs.map(\.ratio)
        let costs = pairs.compactMap(\.costPerSampleUs)
        let bpfNs = Statistics.median(agentStats.compactMap(Self.bpfNanosecondsPerRun))
        // Every sampler run in the window (hz x CPUs x seconds) charged to the service: an upper bound,
        // since runs that land on other processes or the idle task filter out cheaply but are counted.
        let bpfShares = zip(agentStats, pairs).compactMap { stats, pair -> Double? in
            guard let ns = Self.bpfNanosecondsPerRun(stats), pair.onServiceCPUNs > 0 else { return nil }
            return ns * Double(configuration.hz * stats.cpusSampled) * pair.onSeconds / pair.onServiceCPUNs
        }
        return Result(configuration: configuration, command: configuration.commandLine(pid: service.pid), pairs: pairs,
                      overheadMedian: Statistics.median(ratios) ?? 0, overheadMin: ratios.min() ?? 0, overheadMax: ratios.max() ?? 0,
                      p99DeltaMsMedian: Statistics.median(pairs.map { $0.onP99Ms - $0.offP99Ms }) ?? 0,
                      profilerCPUMsPerSecond: profilerCPUMsPerSecond(configuration, pairs: pairs, agentStats: agentStats),
                      samplesPerRun: Statistics.median(agentStats.map { Double($0.cpuSamples) }),
                      bpfNanosecondsPerRun: bpfNs,
                      agentPeakRSSMiB: agentStats.map { Double($0.peakRSSBytes) / 1_048_576 }.max(),
                      agentAnonymousMiB: agentStats.compactMap { $0.residentAtEnd.map { Double($0.anonymousBytes) / 1_048_576 } }.max(),
                      bpfShareOfServiceCPU: Statistics.median(bpfShares),
                      costPerSampleUs: Statistics.median(costs), costPerSampleUsMin: costs.min(), costPerSampleUsMax: costs.max())
    }

    /// flamelab: its own steady-state figure (rusage, after start-up); peers: their process's CPU over the window.
    private func profilerCPUMsPerSecond(_ configuration: OverheadConfiguration, pairs: [Pair], agentStats: [AgentRunStats]) -> Double? {
        switch configuration.tool {
        case .none: return nil
        case .flamelab:
            return Statistics.median(agentStats.compactMap { stats in
                guard let cpu = stats.steadyCPUSeconds, let seconds = stats.steadySeconds, seconds > 0 else { return nil }
                return cpu * 1000 / seconds
            })
        default: return Statistics.median(pairs.map { $0.profilerCPUNs / 1e6 / max($0.onSeconds, 1e-9) })
        }
    }

    static func bpfNanosecondsPerRun(_ stats: AgentRunStats) -> Double? {
        let sampler = stats.bpfPrograms.filter { $0.name.contains("cpu") && $0.runCount > 0 && $0.runTimeNs > 0 }
        let runs = sampler.reduce(0) { $0 + $1.runCount }, time = sampler.reduce(0) { $0 + $1.runTimeNs }
        return runs > 0 ? Double(time) / Double(runs) : nil
    }

    /// The load with the profiler attached; the control measures the load alone a second time.
    private func measureOn(_ configuration: OverheadConfiguration) throws -> ((load: LoadFigures, profilerCPUNs: Double), AgentRunStats?) {
        guard let profiler = try ProfilerUnderTest.attach(configuration, pid: service.pid, paths: paths) else {
            return ((try measureLoad(), 0), nil)
        }
        let cpu0 = profiler.cpuNanoseconds()
        let result: LoadFigures
        do {
            result = try measureLoad()
        } catch {
            _ = try? profiler.stop()
            throw error
        }
        let profilerCPU = Double(profiler.cpuNanoseconds() &- cpu0)
        return ((result, profilerCPU), try profiler.stop())
    }

    struct LoadFigures {
        var cpuUs: Double
        var cpuNs: Double
        var p99: Double
        var seconds: Double
    }

    private func measureLoad() throws -> LoadFigures {
        let cpu0 = try ProcessCPU.liveThreadNanoseconds(pid: service.pid)
        let result = LoadGenerator(options: load).run()
        let cpu1 = try ProcessCPU.liveThreadNanoseconds(pid: service.pid)
        let ok = result.records.filter { !$0.isError }
        guard !ok.isEmpty else { throw FlamelabError("failed to measure overhead: no successful request") }
        let cpuNs = Double(cpu1 - cpu0)
        return LoadFigures(cpuUs: cpuNs / 1000 / Double(ok.count), cpuNs: cpuNs, p99: Statistics.quantile(ok.map(\.latencyMs), 0.99) ?? 0, seconds: result.seconds)
    }
}
