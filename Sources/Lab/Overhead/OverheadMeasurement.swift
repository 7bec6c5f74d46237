import Agent
import Foundation

/// Measures one configuration's overhead on the service: interleaved off/on repetitions under the same
/// open-loop load, service CPU per request from the live threads' schedstat (ns), p99 at the fixed rate.
public struct OverheadMeasurement: Sendable {
    /// One off/on pair.
    public struct Pair: Codable, Sendable {
        public var offCPUPerRequestUs: Double
        public var onCPUPerRequestUs: Double
        public var offP99Ms: Double
        public var onP99Ms: Double
        public var ratio: Double { onCPUPerRequestUs / offCPUPerRequestUs - 1 }
    }

    /// The configuration's result over all pairs.
    public struct Result: Codable, Sendable {
        public var configuration: OverheadConfiguration
        public var pairs: [Pair]
        public var overheadMedian: Double
        public var overheadMin: Double
        public var overheadMax: Double
        public var p99DeltaMsMedian: Double
        /// flamelab only: samples per run, BPF ns per CPU-sampler run, agent drain CPU ms per second, peak RSS.
        public var samplesPerRun: Double?
        public var bpfNanosecondsPerRun: Double?
        public var agentCPUMsPerSecond: Double?
        public var agentPeakRSSMiB: Double?
    }

    public var service: ServiceInstance
    public var load: LoadOptions
    public var repetitions: Int

    public func run(_ configuration: OverheadConfiguration, progress: ProgressLine?) throws -> Result {
        var pairs: [Pair] = []
        var agentStats: [AgentRunStats] = []
        for rep in 0..<repetitions {
            progress?.update("overhead: \(configuration.label), repetition \(rep + 1)/\(repetitions)")
            let off = try measureLoad()
            let (on, stats) = try measureOn(configuration)
            if let stats { agentStats.append(stats) }
            pairs.append(Pair(offCPUPerRequestUs: off.cpuUs, onCPUPerRequestUs: on.cpuUs, offP99Ms: off.p99, onP99Ms: on.p99))
        }
        let ratios = pairs.map(\.ratio)
        return Result(configuration: configuration, pairs: pairs, overheadMedian: Statistics.median(ratios) ?? 0,
                      overheadMin: ratios.min() ?? 0, overheadMax: ratios.max() ?? 0,
                      p99DeltaMsMedian: Statistics.median(pairs.map { $0.onP99Ms - $0.offP99Ms }) ?? 0,
                      samplesPerRun: Statistics.median(agentStats.map { Double($0.cpuSamples) }),
                      bpfNanosecondsPerRun: Statistics.median(agentStats.compactMap(Self.bpfNanosecondsPerRun)),
                      agentCPUMsPerSecond: Statistics.median(agentStats.map { $0.drainCPUSeconds * 1000 / max($0.elapsedSeconds, 1e-9) }),
                      agentPeakRSSMiB: agentStats.map { Double($0.peakRSSBytes) / 1_048_576 }.max())
    }

    static func bpfNanosecondsPerRun(_ stats: AgentRunStats) -> Double? {
        let sampler = stats.bpfPrograms.filter { $0.name.contains("cpu") && $0.runCount > 0 && $0.runTimeNs > 0 }
        let runs = sampler.reduce(0) { $0 + $1.runCount }, time = sampler.reduce(0) { $0 + $1.runTimeNs }
        return runs > 0 ? Double(time) / Double(runs) : nil
    }

    private func measureOn(_ configuration: OverheadConfiguration) throws -> ((cpuUs: Double, p99: Double), AgentRunStats?) {
        if configuration.tool != .flamelab {
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("flamelab-peer-\(getpid()).data").path
            defer { try? FileManager.default.removeItem(atPath: output) }
            let command = configuration.peerCommand(pid: service.pid, seconds: load.durationSeconds + 0.5, output: output)!
            let peer = try PeerProcess.start(command)
            Thread.sleep(forTimeInterval: 0.3)   // let the peer attach before the load starts
            let result = try measureLoad()
            peer.wait()
            return (result, nil)
        }
        let unwind = UnwindMode(rawValue: configuration.unwind) ?? .fp
        let agent = Agent(config: AgentConfig(targets: .pids([service.pid]), hz: configuration.hz, kinds: [.cpu], unwind: unwind,
                                              python: .auto, durationSeconds: nil, measureBPFTime: true, service: "flamelab-shop", version: service.version))
        agent.progress = .never
        try agent.start()
        let result = try measureLoad()
        agent.requestStop()
        return (result, agent.finish().stats)
    }

    private func measureLoad() throws -> (cpuUs: Double, p99: Double) {
        let cpu0 = try ProcessCPU.liveThreadNanoseconds(pid: service.pid)
        let result = LoadGenerator(options: load).run()
        let cpu1 = try ProcessCPU.liveThreadNanoseconds(pid: service.pid)
        let ok = result.records.filter { !$0.isError }
        guard !ok.isEmpty else { throw LabError("failed to measure overhead: no successful request") }
        return (Double(cpu1 - cpu0) / 1000 / Double(ok.count), Statistics.quantile(ok.map(\.latencyMs), 0.99) ?? 0)
    }
}
