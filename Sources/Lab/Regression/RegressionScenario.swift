import FlameGraph
import Foundation
import ProfileModel
import LabRuntime

/// `regression`: v1 and v2 canary profiles under the same load, the differential flame graph, a latency
/// chart that cannot localise the change, and a generated write-up naming the regressed function.
public struct RegressionScenario: Scenario {
    public let name = "regression"
    public let summary = "v1 vs v2: differential flame graph localises what the latency chart cannot"
    static let plantedFunction = "FraudScreening.scoreOrderRisk"

    public init() {}

    public func run(_ context: ScenarioContext) throws -> ScenarioOutcome {
        let dir = try context.directory(for: name)
        let hz = 999
        // Both canaries come from one `lab agent` writing a store: the product path, not a one-shot agent.
        let session = try context.agentSession(for: name, hz: hz, kinds: [.cpu])
        defer { _ = try? session.stop() }
        var pilot = CanaryPilot(rate: CanaryPair.defaultRate, hz: hz, port: 18400, pilotSeconds: context.pick(full: 6, quick: 4), plantedFunction: Self.plantedFunction)
        pilot.session = session
        let plan = try pilot.plan(base: "v1", candidate: "v2", minimum: context.pick(full: 20, quick: 6), maximum: context.pick(full: 60, quick: 20),
                  controller: context.controller, progress: context.progress)
        FileHandle.standardError.write(Data("    regression: \(plan.summary)\n".utf8))
        context.progress.update("regression: \(Int(plan.seconds)) s canary profiles of v1 and v2")
        let load = try CanaryPair.load(rate: CanaryPair.defaultRate, seconds: plan.seconds)
        let pair = try CanaryPair.capture(baseVersion: "v1", candidateVersion: "v2", port: 18400, hz: hz, load: load, controller: context.controller,
                                          session: session)
        // User-space CPU, the view `lab gate` tests and the pilot planned on: a burst of kernel time in
        // one capture on this shared VM (spin-unlock paths, +12 points in one full run) dilutes every
        // user function at once, and the largest of them then "shrinks" past the planted growth.
        let userSpace = GateRule()
        let base = userSpace.testedProfile(try pair.base.profile(.cpu)), cand = userSpace.testedProfile(try pair.candidate.profile(.cpu))
        let changes = ProfileDiff.compute(base: base, candidate: cand)
        // A regression is what grew: the function that grew most is the diff's answer.
        let grown = changes.filter(\.grew)
        let renderer = DiffRenderer()
        try PrivateFile.write(renderer.renderHTML(base: base, candidate: cand, changes: changes, title: "CPU diff: checkout v1 -> v2"), to: "\(dir)/diff.html")
        try PrivateFile.write(renderer.renderSVG(base: base, candidate: cand, changes: changes, title: "CPU diff: checkout v1 -> v2"), to: "\(dir)/diff.svg")
        try PrivateFile.writeJSON(Array(changes.prefix(20)), to: "\(dir)/changes.json")
        try PrivateFile.write(latencyChart(pair).svg(), to: "\(dir)/latency.svg")
        let latency = LatencyComparison(base: pair.base.load, candidate: pair.candidate.load)
        let writeUp = Self.writeUp(changes: grown, latency: latency)
        try PrivateFile.write(writeUp + "\n", to: "\(dir)/write-up.md")
        try PrivateFile.writeJSON(plan, to: "\(dir)/canary-plan.json")
        try writeReport(context, dir: dir, pair: pair, changes: changes, latency: latency, writeUp: writeUp, hz: hz, plan: plan)
        let planted = grown.firstIndex { $0.name.contains(Self.plantedFunction) }
        let top = grown.first
        let detail = top.map { "\(FunctionName.display($0.name)) \($0.isNew ? "NEW" : "grown") \(String(format: "%+.1f", $0.absoluteChange * 100)) pts" } ?? "no change"
        // Short of the planned power (a quick run capped by its budget), the claim the samples support is weaker.
        let topCheck: ScenarioOutcome.Check = plan.topChangePower >= plan.sizing.target
            ? .init("top grown function is the planted regression (power \(String(format: "%.4f", plan.topChangePower)))", planted == 0, detail)
            : .init("the planted regression is among the 3 largest growths (weaker: top-of-diff power \(String(format: "%.3f", plan.topChangePower)) at this length)",
                    (planted ?? 99) < 3, detail)
        let plantedChange = planted.map { grown[$0] }
        return ScenarioOutcome(scenario: name, headline: writeUp.components(separatedBy: ". ").first ?? writeUp, checks: [
            topCheck,
            .init("both canaries have samples", base.samples.count > 100 && cand.samples.count > 100, "\(base.samples.count) / \(cand.samples.count) CPU samples"),
        ], figures: [
            .init("planted function's v2 share", (plantedChange?.candShare ?? 0) * 100, unit: "%"),
            .init("canary seconds", plan.seconds, unit: "s"),
            .init("v2 samples", Double(cand.samples.count)),
            .init("p50 change", latency.p50DeltaMs, unit: "ms"),
        ])
    }

    private func latencyChart(_ pair: CanaryPair) -> LineChart {
        let b = pair.base.load.records, c = pair.candidate.load.records
        return LineChart(title: "checkout latency over time: v1 vs v2", xLabel: "seconds into the canary", yLabel: "latency (ms)", series: [
            .init(label: "v1 p50", color: "#1f77b4", points: LatencySeries.percentile(0.5, of: b, bucketSeconds: 1)),
            .init(label: "v2 p50", color: "#d62728", points: LatencySeries.percentile(0.5, of: c, bucketSeconds: 1)),
            .init(label: "v1 p99", color: "#1f77b4", dashed: true, points: LatencySeries.percentile(0.99, of: b, bucketSeconds: 1)),
            .init(label: "v2 p99", color: "#d62728", dashed: true, points: LatencySeries.percentile(0.99, of: c, bucketSeconds: 1)),
        ])
    }

    /// The paragraph the brief asks for, generated from the numbers.
    static func writeUp(changes: [FunctionChange], latency: LatencyComparison) -> String {
        guard let top = changes.first else { return "The diff found no grown function." }
        let name = FunctionName.display(top.name)
        let status = top.isNew ? "is new in v2" : String(format: "grew by %.0f%%", (top.relativeChange ?? 0) * 100)
        return String(format: "The regressed function is %@: it %@ and takes %.1f%% of v2's checkout CPU samples (v1: %.1f%%, %+.1f points, p = %.2g). ",
                      name as NSString, status as NSString, top.candShare * 100, top.baseShare * 100, top.absoluteChange * 100, top.pValue)
            + String(format: "The latency chart cannot localise it: checkout p50 moved %+.1f ms (%.1f -> %.1f ms) and p99 %+.1f ms, inside the per-second jitter of a request dominated by its %@ wait, and a latency series has no function names anyway. ",
                     latency.p50DeltaMs, latency.baseP50Ms, latency.candidateP50Ms, latency.p99DeltaMs, "inventory" as NSString)
            + "The differential flame graph normalises both profiles to their own totals, so the new frame stands out as the only large red (new) tower while every other frame shrinks slightly: the diff names the function, its caller chain and its share, which is what a rollback or fix needs."
    }

    private func writeReport(_ context: ScenarioContext, dir: String, pair: CanaryPair, changes: [FunctionChange],
                             latency: LatencyComparison, writeUp: String, hz: Int, plan: CanaryPilot.Plan) throws {
        var report = MarkdownReport(title: "Deploy regression: v1 -> v2", machine: context.machine, command: context.command(for: name),
                                    settings: [("Agent", "one `lab agent --service` (\(hz) Hz CPU, unwind fp, trace ids on) writing 2 s windows into a store; each canary is the store's samples of its version between the load's start and end"),
                                               ("Samples", "v1 \(pair.base.recording.stats.cpuSamples), v2 \(pair.candidate.recording.stats.cpuSamples) CPU samples"),
                                               ("Load", "open loop \(Int(CanaryPair.defaultRate)) checkout/s, \(Int(pair.base.load.options.durationSeconds)) s per version"),
                                               ("Canary length", plan.summary)])
        report.heading("Write-up")
        report.paragraph(writeUp)
        report.heading("Differential flame graph")
        report.paragraph("Widths from v2; colour by change in self share (red grew, blue shrank); new frames outlined. [Interactive version](diff.html).")
        report.image("differential flame graph", path: "diff.svg")
        report.heading("Top changed functions (self share)")
        report.table(header: ["function", "v1", "v2", "change", "p-value", "status"], rows: changes.prefix(8).map { c in
            [FunctionName.display(c.name), String(format: "%.2f%%", c.baseShare * 100), String(format: "%.2f%%", c.candShare * 100),
             String(format: "%+.2f pts", c.absoluteChange * 100), String(format: "%.2g", c.pValue), c.isNew ? "NEW" : c.isGone ? "gone" : ""]
        })
        report.heading("Latency over time")
        report.image("latency chart", path: "latency.svg")
        try PrivateFile.write(report.text, to: "\(dir)/report.md")
    }
}

/// p50/p99 of two load runs side by side.
public struct LatencyComparison: Sendable {
    public var baseP50Ms: Double, candidateP50Ms: Double, baseP99Ms: Double, candidateP99Ms: Double

    public init(base: LoadResult, candidate: LoadResult) {
        let b = base.records.filter { !$0.isError }.map(\.latencyMs), c = candidate.records.filter { !$0.isError }.map(\.latencyMs)
        baseP50Ms = Statistics.median(b) ?? 0
        candidateP50Ms = Statistics.median(c) ?? 0
        baseP99Ms = Statistics.quantile(b, 0.99) ?? 0
        candidateP99Ms = Statistics.quantile(c, 0.99) ?? 0
    }

    public var p50DeltaMs: Double { candidateP50Ms - baseP50Ms }
    public var p99DeltaMs: Double { candidateP99Ms - baseP99Ms }
}
