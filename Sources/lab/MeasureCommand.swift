import ArgumentParser
import Foundation
import Lab
import LabRuntime

/// `lab measure`: the service's own measurements (no profiler involved).
struct MeasureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "measure",
        abstract: "Measure the service itself: CPU vs wall per route, v1 vs v2, trace-context cost.",
        discussion: """
        Examples:
          lab measure cpu-wall --seconds 5
          lab measure versions --repetitions 5 --seconds 10 --rate 25
          lab measure trace-context-cost
        """,
        subcommands: [CPUWall.self, Versions.self, TraceContextCostCommand.self]
    )

    struct CPUWall: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cpu-wall",
            abstract: "Per route: the service's thread CPU time against wall time of each request's work.",
            discussion: "Starts its own v1 service on --port, runs each route closed-loop, stops it.\nExample:\n  lab measure cpu-wall --seconds 5 --routes inventory,price"
        )
        @Option(help: "Seconds of closed-loop load per route.") var seconds: Double = 5
        @Option(help: "Routes to measure, comma-separated.") var routes: String = "inventory,price,tax,recommend,checkout"
        @Option(help: "Port for the service this command starts.") var port: UInt16 = 18080
        @Option(name: .shortAndLong, help: "JSON output path.") var output: String?

        func run() throws {
            let controller = ServiceController()
            let names = routes.split(separator: ",").map(String.init)
            let service = try controller.start(version: "v1", port: port)
            defer { try? controller.stop(port: port) }
            let progress = ProgressLine()
            let results = try CPUWallMeasurement(secondsPerRoute: seconds).run(service: service, routes: names, progress: progress)
            progress.finish()
            print(CPUWallMeasurement.table(results))
            let path = output ?? LabPaths().resultsDirectory + "/runs/cpu-wall.json"
            try PrivateFile.writeJSON(results, to: path)
            print("wrote \(path)")
        }
    }

    struct Versions: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "v1 against v2 side by side (both at once): checkout CPU per request and p50 latency.",
            discussion: "Example:\n  lab measure versions --repetitions 5 --seconds 10 --rate 25"
        )
        @Option(help: "Repetitions, each running v1 and v2 at once under the same load.") var repetitions: Int = 5
        @Option(help: "Seconds of open-loop checkout load per repetition.") var seconds: Double = 10
        @Option(help: "Open-loop checkout rate (requests/s), below saturation.") var rate: Double = 25
        @Option(help: "Port of v1 (v2 runs beside it on the next port) or of the service this command starts.") var port: UInt16 = 18090
        @Option(name: .shortAndLong, help: "JSON output path.") var output: String?

        func validate() throws {
            guard repetitions >= 2 else { throw ValidationError("--repetitions must be at least 2 to have a spread") }
        }

        func run() throws {
            let progress = ProgressLine()
            let comparison = VersionComparison(repetitions: repetitions, secondsPerRepetition: seconds, rate: rate, port: port)
            let result = try comparison.run(controller: ServiceController(), progress: progress)
            progress.finish()
            print(TextTable.render(header: ["version", "rep", "requests", "cpu ms/req", "work cpu ms p50", "p50 ms", "p99 ms"],
                                   rows: result.repetitions.map { r in
                                       [r.version, "\(r.index + 1)", "\(r.requests)", String(format: "%.2f", r.processCPUMsPerRequest),
                                        String(format: "%.2f", r.workCPUMsMedian), String(format: "%.1f", r.p50Ms), String(format: "%.1f", r.p99Ms)]
                                   }))
            print(String(format: "checkout CPU per request v2/v1: %+.1f%% (median of %d pairs; range %+.1f%% .. %+.1f%%); work CPU %+.1f%%",
                         result.cpuGrowthMedian * 100, repetitions, result.cpuGrowthMin * 100, result.cpuGrowthMax * 100, result.workCPUGrowthMedian * 100))
            let verdict = result.p50WithinSpread ? "within the spread (latency alone cannot see it)" : "outside the spread"
            print(String(format: "p50 v2 - v1: %+.2f ms; run-to-run p50 spread: %.2f ms -> ", result.p50DifferenceMs, result.p50SpreadMs) + verdict)
            let path = output ?? LabPaths().resultsDirectory + "/runs/versions.json"
            try PrivateFile.writeJSON(result, to: path)
            print("wrote \(path)")
        }
    }

    struct TraceContextCostCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "trace-context-cost",
            abstract: "Cost of publishing the per-thread trace context (set + clear per request).",
            discussion: "Example:\n  lab measure trace-context-cost --repetitions 9"
        )
        @Option(help: "Interleaved repetitions.") var repetitions: Int = 7

        func run() throws {
            let result = TraceContextCost.measure(repetitions: repetitions)
            print(String(format: "trace context publish (set + clear): %.1f ns per request (median of %d; min %.1f, max %.1f)",
                         result.nanosecondsPerRequestMedian, result.repetitions, result.nanosecondsPerRequestMin, result.nanosecondsPerRequestMax))
        }
    }
}
