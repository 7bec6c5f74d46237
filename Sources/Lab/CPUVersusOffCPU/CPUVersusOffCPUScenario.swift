import FlameGraph
import Foundation
import ProfileModel
import LabRuntime

/// `cpu-vs-offcpu`: one I/O-bound request, chosen by trace id, seen as a CPU profile (near zero) and an
/// off-CPU profile (the wait, attributed to the blocking call), with its CPU/wall ratio; a compute
/// request beside it for contrast.
public struct CPUVersusOffCPUScenario: Scenario {
    public let name = "cpu-vs-offcpu"
    public let summary = "one slow I/O request: CPU profile vs off-CPU profile, CPU/wall ratio"
    static let blockingFunction = "InventoryClient.fetchStockLevel"
    static let computeFunction = "PricingEngine.applyPairwiseBundleDiscounts"

    public init() {}

    public func run(_ context: ScenarioContext) throws -> ScenarioOutcome {
        let dir = try context.directory(for: name)
        var run = ProfiledRun(version: "v1", port: 18200)
        run.kinds = [.cpu, .offcpu]
        run.hz = 999
        context.progress.update("cpu-vs-offcpu: profiling inventory + price requests")
        let load = LoadOptions(mode: .open(rate: 12), durationSeconds: context.pick(full: 15, quick: 5),
                               mix: try RouteMix.parse("inventory=3,price=1"), port: run.port)
        let capture = try run.capture(load: load, controller: context.controller)
        let cpu = try capture.profile(.cpu)
        let offcpu = try capture.profile(.offcpu)
        let io = try RequestView.pick(route: "inventory", capture: capture, cpu: cpu, offcpu: offcpu)
        let compute = try RequestView.pick(route: "price", capture: capture, cpu: cpu, offcpu: offcpu)
        let distribution = RequestView.ratios(route: "inventory", capture: capture, cpu: cpu)
        try render(io, label: "io", dir: dir)
        try render(compute, label: "compute", dir: dir)
        let blockedShare = io.offcpuNs > 0 ? Double(ProfileQueries.value(of: io.offcpu, under: Self.blockingFunction)) / Double(io.offcpuNs) : 0
        let top = ProfileQueries.hottest(io.offcpu)
        try PrivateFile.writeJSON(Summary(io: io.summary, compute: compute.summary, blockedShareUnderBlockingCall: blockedShare,
                                          offcpuTopFunction: top.map { FunctionName.display($0.name) }, inventoryRatios: distribution,
                                          agent: capture.recording.stats.summary), to: "\(dir)/summary.json")
        try writeReport(context, dir: dir, io: io, compute: compute, blockedShare: blockedShare, top: top?.name, distribution: distribution, capture: capture)
        return outcome(io: io, compute: compute, blockedShare: blockedShare, top: top?.name)
    }

    struct Summary: Codable {
        var io: RequestView.Summary
        var compute: RequestView.Summary
        var blockedShareUnderBlockingCall: Double
        var offcpuTopFunction: String?
        var inventoryRatios: RequestView.RatioDistribution
        var agent: String
    }

    private func render(_ view: RequestView, label: String, dir: String) throws {
        let who = "\(view.route) request \(view.traceID.hex.prefix(8))"
        try PrivateFile.write(SVGRenderer().render(profile: view.cpu, title: "CPU: \(who)"), to: "\(dir)/\(label)-cpu.svg")
        try PrivateFile.write(SVGRenderer().render(profile: view.offcpu, title: "off-CPU: \(who)"), to: "\(dir)/\(label)-offcpu.svg")
        try PrivateFile.write(HTMLRenderer().render(profile: view.offcpu, title: "off-CPU: \(who)"), to: "\(dir)/\(label)-offcpu.html")
        try PrivateFile.write(HTMLRenderer().render(profile: view.cpu, title: "CPU: \(who)"), to: "\(dir)/\(label)-cpu.html")
    }

    private func outcome(io: RequestView, compute: RequestView, blockedShare: Double, top: String?) -> ScenarioOutcome {
        let topShort = top.map(FunctionName.display) ?? "none"
        let checks: [ScenarioOutcome.Check] = [
            .init("I/O request CPU/wall < 5%", io.cpuWallRatio < 0.05, String(format: "%.2f%% (%d CPU samples at %d Hz, %.1f ms wall)", io.cpuWallRatio * 100, io.cpu.samples.count, io.hz, io.latencyMs)),
            .init("off-CPU wait attributed to the blocking call", blockedShare >= 0.9,
                  String(format: "%.1f%% of %.1f ms off-CPU under %@", blockedShare * 100, Double(io.offcpuNs) / 1e6, Self.blockingFunction as NSString)),
            .init("off-CPU top frame is the blocking call", top.map { $0.contains("fetchStockLevel") || $0.contains("LoopbackSocket.readLine") } ?? false, topShort),
            .init("compute request is CPU-bound", compute.cpuWallRatio > 0.5, String(format: "%.1f%%", compute.cpuWallRatio * 100)),
        ]
        let headline = String(format: "I/O request %@: CPU/wall %.2f%%, %.0f%% of its %.0f ms wait under %@; compute request CPU/wall %.0f%%",
                              String(io.traceID.hex.prefix(8)) as NSString, io.cpuWallRatio * 100, blockedShare * 100, Double(io.offcpuNs) / 1e6,
                              topShort as NSString, compute.cpuWallRatio * 100)
        return ScenarioOutcome(scenario: name, headline: headline, checks: checks, figures: [
            .init("I/O request CPU/wall", io.cpuWallRatio * 100, unit: "%"),
            .init("wait under the blocking call", blockedShare * 100, unit: "%"),
            .init("compute request CPU/wall", compute.cpuWallRatio * 100, unit: "%"),
        ])
    }

    private func writeReport(_ context: ScenarioContext, dir: String, io: RequestView, compute: RequestView, blockedShare: Double,
                             top: String?, distribution: RequestView.RatioDistribution, capture: ProfiledRun.Capture) throws {
        var report = MarkdownReport(title: "CPU versus off-CPU for one slow request", machine: context.machine, command: context.command(for: name),
                                    settings: [("Agent", "\(io.hz) Hz CPU sampling (cpu-clock), off-CPU from sched_switch (every block >= 1 ms, exact ns), unwind fp"),
                                               ("Samples", "\(capture.recording.stats.cpuSamples) CPU samples, \(capture.recording.stats.offCPUIntervals) off-CPU intervals, \(capture.recording.stats.totalDrops) dropped"),
                                               ("Load", "open loop 12 req/s, inventory:price = 3:1")])
        report.heading("The I/O-bound request \(io.traceID)")
        report.paragraph(String(format: "Wall time %.1f ms. On CPU: %d samples at %d Hz = %.2f ms. Off CPU: %.1f ms. **CPU/wall = %.2f%%.** %.1f%% of the off-CPU time has `%@` on its stack; the leaf-most service frame carrying the most wait is `%@`.",
                                io.latencyMs, io.cpu.samples.count, io.hz, io.cpuMs, Double(io.offcpuNs) / 1e6, io.cpuWallRatio * 100,
                                blockedShare * 100, Self.blockingFunction as NSString, (top.map(FunctionName.display) ?? "none") as NSString))
        report.table(header: ["CPU profile (this trace id)", "off-CPU profile (this trace id)"],
                     rows: [["![cpu](io-cpu.svg)", "![off-cpu](io-offcpu.svg)"], ["[interactive](io-cpu.html)", "[interactive](io-offcpu.html)"]])
        report.paragraph(String(format: "Over all %d inventory requests: CPU/wall from the service's thread clock p50 %.2f%%, p90 %.2f%%; from the profile (samples/hz over latency) p50 %.2f%%, p90 %.2f%%.",
                                distribution.requests, distribution.serverTimingP50 * 100, distribution.serverTimingP90 * 100,
                                distribution.sampledP50 * 100, distribution.sampledP90 * 100))
        report.heading("For contrast: a compute request \(compute.traceID)")
        report.paragraph(String(format: "Wall %.1f ms, on CPU %.1f ms (%d samples), off CPU %.1f ms: CPU/wall = %.0f%%.",
                                compute.latencyMs, compute.cpuMs, compute.cpu.samples.count, Double(compute.offcpuNs) / 1e6, compute.cpuWallRatio * 100))
        report.table(header: ["CPU profile", "off-CPU profile"], rows: [["![cpu](compute-cpu.svg)", "![off-cpu](compute-offcpu.svg)"]])
        report.paragraph("Reading: a CPU profile of a slow I/O request is almost empty — the request is slow while doing nothing. Only the off-CPU profile shows where the time went: blocked in read(2) under the named blocking call.")
        try PrivateFile.write(report.text, to: "\(dir)/report.md")
    }
}
