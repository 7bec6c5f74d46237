import ProfileModel
import Foundation
import LabRuntime

/// Per route: the service's thread CPU time against wall time for the request's work (Server-Timing,
/// measured in the service with CLOCK_THREAD_CPUTIME_ID), cross-checked with the process's CPU from its threads' schedstat.
public struct CPUWallMeasurement: Sendable {
    /// One route's result.
    public struct RouteResult: Codable, Sendable {
        public var route: String
        public var requests: Int
        /// Median over requests of thread-CPU / wall of the request's work.
        public var cpuWallRatioMedian: Double
        public var cpuWallRatioP10: Double
        public var cpuWallRatioP90: Double
        /// Whole-process CPU (live threads' schedstat, includes HTTP handling) per request, ms.
        public var processCPUMsPerRequest: Double
        public var latencyP50Ms: Double
        public var throughputPerSecond: Double
    }

    public var secondsPerRoute: Double
    public var connections: Int

    public init(secondsPerRoute: Double = 5, connections: Int = 1) {
        self.secondsPerRoute = secondsPerRoute
        self.connections = connections
    }

    /// Runs each route in turn, closed loop, against a running service.
    public func run(service: ServiceInstance, routes: [String], progress: ProgressLine? = nil) throws -> [RouteResult] {
        try routes.map { route in
            progress?.update("cpu-wall: \(route) for \(Int(secondsPerRoute)) s")
            let mix = try RouteMix.parse(route)
            let cpu0 = try ProcessCPU.liveThreadNanoseconds(pid: service.pid)
            let result = LoadGenerator(options: LoadOptions(mode: .closed(connections: connections), durationSeconds: secondsPerRoute,
                                                            mix: mix, port: service.port, version: service.version)).run()
            let cpu1 = try ProcessCPU.liveThreadNanoseconds(pid: service.pid)
            let ok = result.records.filter { !$0.isError }
            guard !ok.isEmpty else { throw FlamelabError("failed to measure route \(route): no successful requests (\(result.records.first?.error ?? "none sent"))") }
            let ratios = ok.compactMap(\.serverCPUWallRatio)
            let summary = RouteSummary.make(route: route, records: ok, seconds: result.seconds)
            return RouteResult(route: route, requests: ok.count,
                               cpuWallRatioMedian: Statistics.median(ratios) ?? 0,
                               cpuWallRatioP10: Statistics.quantile(ratios, 0.1) ?? 0,
                               cpuWallRatioP90: Statistics.quantile(ratios, 0.9) ?? 0,
                               processCPUMsPerRequest: Double(cpu1 &- cpu0) / 1e6 / Double(ok.count),
                               latencyP50Ms: summary.p50Ms, throughputPerSecond: summary.throughputPerSecond)
        }
    }

    /// A terminal table of `results`.
    public static func table(_ results: [RouteResult]) -> String {
        TextTable.render(
            header: ["route", "requests", "cpu/wall p50", "p10", "p90", "proc cpu ms/req", "p50 ms", "req/s"],
            rows: results.map { r in
                [r.route, "\(r.requests)", pct(r.cpuWallRatioMedian), pct(r.cpuWallRatioP10), pct(r.cpuWallRatioP90),
                 String(format: "%.2f", r.processCPUMsPerRequest), String(format: "%.1f", r.latencyP50Ms), String(format: "%.1f", r.throughputPerSecond)]
            })
    }

    static func pct(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }
}
