import Foundation
import LabRuntime

/// `service`: the subject under test measured on its own, before any profiler: CPU vs wall per route,
/// v1 vs v2 side by side, and what publishing the trace context costs.
public struct ServiceScenario: Scenario {
    public let name = "service"
    public let summary = "the demo service alone: CPU/wall per route, v1 vs v2, trace-context cost"

    public init() {}

    public func run(_ context: ScenarioContext) throws -> ScenarioOutcome {
        let dir = try context.directory(for: name)
        let port: UInt16 = 18100
        let cpuWall = try measureCPUWall(context, port: port)
        try PrivateFile.writeJSON(cpuWall, to: "\(dir)/cpu-wall.json")
        let versions = try VersionComparison(repetitions: context.pick(full: 5, quick: 3), secondsPerRepetition: context.pick(full: 6, quick: 4),
                                             rate: 25, port: port).run(controller: context.controller, progress: context.progress)
        try PrivateFile.writeJSON(versions, to: "\(dir)/versions.json")
        let publish = TraceContextCost.measure()
        try PrivateFile.writeJSON(publish, to: "\(dir)/trace-context-cost.json")
        try writeReport(context, dir: dir, cpuWall: cpuWall, versions: versions, publish: publish)
        return outcome(cpuWall: cpuWall, versions: versions, publish: publish, quick: context.quick)
    }

    private func measureCPUWall(_ context: ScenarioContext, port: UInt16) throws -> [CPUWallMeasurement.RouteResult] {
        let service = try context.controller.start(version: "v1", port: port)
        defer { try? context.controller.stop(port: port) }
        return try CPUWallMeasurement(secondsPerRoute: context.pick(full: 4, quick: 2))
            .run(service: service, routes: ["inventory", "price", "tax", "recommend", "checkout"], progress: context.progress)
    }

    private func outcome(cpuWall: [CPUWallMeasurement.RouteResult], versions: VersionComparison.Result,
                         publish: TraceContextCost.Result, quick: Bool) -> ScenarioOutcome {
        let io = cpuWall.first { $0.route == "inventory" }?.cpuWallRatioMedian ?? 1
        let compute = cpuWall.first { $0.route == "price" }?.cpuWallRatioMedian ?? 0
        let growth = versions.cpuGrowthMedian
        var checks: [ScenarioOutcome.Check] = [
            .init("I/O route CPU/wall < 5%", io < 0.05, String(format: "inventory %.2f%%", io * 100)),
            .init("compute route CPU/wall > 80%", compute > 0.8, String(format: "price %.1f%%", compute * 100)),
        ]
        // v2's fraud step spends 0.2 of the CPU the checkout's own work took, so a request's CPU grows by
        // +20% (the step is 1/6 of v2's checkout). The request's thread clock (Server-Timing cpu) measures that directly; the
        // process CPU per request also carries the event loop and the Python worker, so it is reported,
        // not judged. The versions run at the same time: run one after the other, the host's speed
        // swings moved a quick run's work CPU growth to +6.8% once (CI, session 11); side by side, two
        // quick runs gave +19.9% and +20.2%, the process figure's pairs within 3 points.
        let work = versions.workCPUGrowthMedian
        let detail = String(format: "work CPU %+.1f%% (planned +20%%); process CPU per request %+.1f%% (pairs %+.1f..%+.1f%%)",
                            work * 100, growth * 100, versions.cpuGrowthMin * 100, versions.cpuGrowthMax * 100)
        // Measured: +22% on average (the step's chunks overshoot a little), SD 3.4 points over 14 quick runs
        // (17.0..30.6); the quick band is that mean ± 3.3 SD (99.9%), the full band the same for its longer runs.
        checks.append(quick
            ? .init("v2 checkout request CPU +10..35% (quick: three short repetitions; +14..30% on full runs)", (0.10...0.35).contains(work), detail)
            : .init("v2 checkout request CPU +14..30%", (0.14...0.30).contains(work), detail))
        let headline = String(format: "inventory CPU/wall %.1f%%, price %.0f%%; v2 checkout request CPU %+.1f%%, p50 %+.1f ms (spread %.1f ms); trace-context publish %.0f ns/request",
                              io * 100, compute * 100, work * 100, versions.p50DifferenceMs, versions.p50SpreadMs, publish.nanosecondsPerRequestMedian)
        return ScenarioOutcome(scenario: name, headline: headline, checks: checks, figures: [
            .init("inventory CPU/wall", io * 100, unit: "%"),
            .init("price CPU/wall", compute * 100, unit: "%"),
            .init("v2 checkout CPU growth", growth * 100, unit: "%"),
            .init("v2 work CPU growth", versions.workCPUGrowthMedian * 100, unit: "%"),
            .init("p50 change v1 -> v2", versions.p50DifferenceMs, unit: "ms"),
            .init("trace-context publish", publish.nanosecondsPerRequestMedian, unit: "ns"),
        ])
    }

    private func writeReport(_ context: ScenarioContext, dir: String, cpuWall: [CPUWallMeasurement.RouteResult],
                             versions: VersionComparison.Result, publish: TraceContextCost.Result) throws {
        var report = MarkdownReport(title: "The service alone", machine: context.machine, command: context.command(for: name),
                                    settings: [("Profiler", "none (this is the baseline)"), ("Load", "closed loop, 1 connection per route; versions: open loop \(Int(versions.rate)) req/s checkout")])
        report.heading("CPU time against wall time per route")
        report.paragraph("Thread CPU (CLOCK_THREAD_CPUTIME_ID) over the wall time of each request's work less the time its thread waited on a run queue (preempted by other work, not blocked: /proc/thread-self/schedstat), measured inside the service and returned in `Server-Timing`; whole-process CPU from the threads' schedstat beside it. On a quiet machine the queue wait is zero; on a shared one it keeps a compute request reading as CPU-bound.")
        report.table(header: ["route", "requests", "CPU/wall p50", "p10", "p90", "process CPU ms/request", "p50 ms", "req/s"],
                     rows: cpuWall.map { r in
                         [r.route, "\(r.requests)", CPUWallMeasurement.pct(r.cpuWallRatioMedian), CPUWallMeasurement.pct(r.cpuWallRatioP10),
                          CPUWallMeasurement.pct(r.cpuWallRatioP90), String(format: "%.2f", r.processCPUMsPerRequest),
                          String(format: "%.1f", r.latencyP50Ms), String(format: "%.1f", r.throughputPerSecond)]
                     })
        report.heading("v1 against v2 (side by side: both versions at once, each under its own load)")
        report.table(header: ["version", "repetition", "requests", "CPU ms/request", "work CPU ms p50", "p50 ms", "p99 ms"],
                     rows: versions.repetitions.map { r in
                         [r.version, "\(r.index + 1)", "\(r.requests)", String(format: "%.2f", r.processCPUMsPerRequest),
                          String(format: "%.2f", r.workCPUMsMedian), String(format: "%.1f", r.p50Ms), String(format: "%.1f", r.p99Ms)]
                     })
        report.paragraph(String(format: "Checkout CPU per request grows %+.1f%% from v1 to v2 (median of paired repetitions; range %+.1f%% to %+.1f%%). The p50 moves %+.2f ms while its run-to-run spread is %.2f ms: %@.",
                                versions.cpuGrowthMedian * 100, versions.cpuGrowthMin * 100, versions.cpuGrowthMax * 100,
                                versions.p50DifferenceMs, versions.p50SpreadMs,
                                (versions.p50WithinSpread ? "within the spread, so a latency chart cannot localise it" : "outside the spread") as NSString))
        report.heading("Trace-context publishing cost")
        report.paragraph(String(format: "Set + clear of the per-thread context: %.1f ns per request (median of %d interleaved repetitions, min %.1f, max %.1f). Plain stores: no syscall.",
                                publish.nanosecondsPerRequestMedian, publish.repetitions, publish.nanosecondsPerRequestMin, publish.nanosecondsPerRequestMax))
        try PrivateFile.write(report.text, to: "\(dir)/report.md")
    }
}
