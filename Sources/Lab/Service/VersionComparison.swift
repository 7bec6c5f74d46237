import ProfileModel
import Foundation
import LabRuntime

/// v1 against v2 in one run, side by side: checkout CPU per request and p50 latency. Each repetition
/// runs both versions at once (v2 on the next port) under the same load, so that the host's speed
/// swings, which on this VM move a short window's CPU per request by tens of percent over seconds,
/// hit both alike. Shows the planted regression's shape: CPU grows 10-20% while p50 moves less than its
/// run-to-run spread.
public struct VersionComparison: Sendable {
    /// One repetition of one version.
    public struct Repetition: Codable, Sendable {
        public var version: String
        public var index: Int
        public var requests: Int
        public var errors: Int
        /// Whole-process CPU per request (live threads' schedstat, ns resolution), ms.
        public var processCPUMsPerRequest: Double
        /// Median of the service's thread CPU for the checkout work (Server-Timing), ms.
        public var workCPUMsMedian: Double
        public var p50Ms: Double
        public var p99Ms: Double

        public init(version: String, index: Int, requests: Int, errors: Int, processCPUMsPerRequest: Double,
                    workCPUMsMedian: Double, p50Ms: Double, p99Ms: Double) {
            self.version = version
            self.index = index
            self.requests = requests
            self.errors = errors
            self.processCPUMsPerRequest = processCPUMsPerRequest
            self.workCPUMsMedian = workCPUMsMedian
            self.p50Ms = p50Ms
            self.p99Ms = p99Ms
        }
    }

    /// The verdict over all repetitions.
    public struct Result: Codable, Sendable {
        public var repetitions: [Repetition]
        public var rate: Double
        public var secondsPerRepetition: Double
        /// Median over repetition pairs of v2/v1 process CPU per request, minus 1.
        public var cpuGrowthMedian: Double
        public var cpuGrowthMin: Double
        public var cpuGrowthMax: Double
        public var workCPUGrowthMedian: Double
        public var p50DifferenceMs: Double
        /// Run-to-run spread of p50 within a version: the larger of the two versions' ranges (max - min).
        public var p50SpreadMs: Double
        public var p50WithinSpread: Bool
    }

    public var repetitions: Int
    public var secondsPerRepetition: Double
    public var rate: Double
    public var warmupSeconds: Double = 2
    public var port: UInt16

    public init(repetitions: Int = 5, secondsPerRepetition: Double = 10, rate: Double = 25, port: UInt16 = 18090) {
        self.repetitions = repetitions
        self.secondsPerRepetition = secondsPerRepetition
        self.rate = rate
        self.port = port
    }

    public func run(controller: ServiceController, progress: ProgressLine? = nil) throws -> Result {
        var reps: [Repetition] = []
        for index in 0..<repetitions {
            progress?.update("versions: repetition \(index + 1)/\(repetitions), v1 and v2 side by side")
            reps += try measureSideBySide(index: index, controller: controller)
        }
        return summarize(reps)
    }

    /// Both versions at once, v1 on `port` and v2 on `port + 1`, each under its own open-loop load.
    private func measureSideBySide(index: Int, controller: ServiceController) throws -> [Repetition] {
        let versions = ["v1", "v2"]
        let services = try versions.enumerated().map { offset, version in try controller.start(version: version, port: port + UInt16(offset)) }
        defer { for offset in versions.indices { try? controller.stop(port: port + UInt16(offset)) } }
        let mix = try RouteMix.parse("checkout")
        @Sendable func load(_ offset: Int, seconds: Double) -> LoadResult {
            LoadGenerator(options: LoadOptions(mode: .open(rate: rate), durationSeconds: seconds, mix: mix, port: port + UInt16(offset),
                                               version: versions[offset])).run()
        }
        _ = concurrently(versions.count) { load($0, seconds: warmupSeconds) }
        let cpu0 = try services.map { try ProcessCPU.liveThreadNanoseconds(pid: $0.pid) }
        let results = concurrently(versions.count) { load($0, seconds: secondsPerRepetition) }
        let cpu1 = try services.map { try ProcessCPU.liveThreadNanoseconds(pid: $0.pid) }
        return try versions.indices.map { offset in
            let result = results[offset]
            let ok = result.records.filter { !$0.isError }
            guard !ok.isEmpty else { throw FlamelabError("failed to measure \(versions[offset]): no successful checkout requests") }
            let summary = RouteSummary.make(route: "checkout", records: ok, seconds: result.seconds)
            return Repetition(version: versions[offset], index: index, requests: ok.count, errors: result.records.count - ok.count,
                              processCPUMsPerRequest: Double(cpu1[offset] &- cpu0[offset]) / 1e6 / Double(ok.count),
                              workCPUMsMedian: summary.serverCPUMsMedian ?? 0, p50Ms: summary.p50Ms, p99Ms: summary.p99Ms)
        }
    }

    /// Pairs repetition i of v1 with repetition i of v2 (measured at the same time) and takes medians.
    public func summarize(_ reps: [Repetition]) -> Result {
        let v1 = reps.filter { $0.version == "v1" }.sorted { $0.index < $1.index }
        let v2 = reps.filter { $0.version == "v2" }.sorted { $0.index < $1.index }
        let growth = zip(v1, v2).map { $1.processCPUMsPerRequest / $0.processCPUMsPerRequest - 1 }
        let workGrowth = zip(v1, v2).map { $1.workCPUMsMedian / $0.workCPUMsMedian - 1 }
        let p50v1 = v1.map(\.p50Ms), p50v2 = v2.map(\.p50Ms)
        let spread = max((p50v1.max() ?? 0) - (p50v1.min() ?? 0), (p50v2.max() ?? 0) - (p50v2.min() ?? 0))
        let difference = (Statistics.median(p50v2) ?? 0) - (Statistics.median(p50v1) ?? 0)
        return Result(repetitions: reps, rate: rate, secondsPerRepetition: secondsPerRepetition,
                      cpuGrowthMedian: Statistics.median(growth) ?? 0, cpuGrowthMin: growth.min() ?? 0, cpuGrowthMax: growth.max() ?? 0,
                      workCPUGrowthMedian: Statistics.median(workGrowth) ?? 0,
                      p50DifferenceMs: difference, p50SpreadMs: spread, p50WithinSpread: abs(difference) <= spread)
    }
}
