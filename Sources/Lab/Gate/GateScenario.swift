import Foundation
import ProfileModel
import LabRuntime

/// `gate`: the CI gate on canary profiles: v1 -> v2 must fail (with its PR comment), v1 -> v1 must pass,
/// and a calibration of N A/A and N A/B comparisons gives the false-alarm and detection rates. The
/// canaries' length comes from a pilot: long enough that the gate catches the planted regression
/// with 99.9% power under its own statistics.
public struct GateScenario: Scenario {
    public let name = "gate"
    public let summary = "CI gate on canary profiles: v1->v2 fails, v1->v1 passes, calibration; canaries sized for 99.9% power"
    static let plantedFunction = "FraudScreening.scoreOrderRisk"

    public init() {}

    public func run(_ context: ScenarioContext) throws -> ScenarioOutcome {
        let dir = try context.directory(for: name)
        let n = context.pick(full: 8, quick: 2)
        let rule = GateRule()
        // Every capture comes from one `lab agent` writing a store, as a CI canary would be profiled.
        let session = try context.agentSession(for: name, hz: 999, kinds: [.cpu])
        defer { _ = try? session.stop() }
        var pilot = CanaryPilot(rate: CanaryPair.defaultRate, hz: 999, port: 18500, pilotSeconds: context.pick(full: 6, quick: 4),
                                plantedFunction: Self.plantedFunction, rule: rule)
        pilot.session = session
        let plan = try pilot.plan(base: "v1", candidate: "v2", minimum: context.pick(full: 6, quick: 3), maximum: context.pick(full: 60, quick: 16),
                                  controller: context.controller, progress: context.progress)
        FileHandle.standardError.write(Data("    gate: \(plan.summary)\n".utf8))
        var calibrationRun = GateCalibration(comparisons: n, secondsPerCanary: plan.seconds)
        calibrationRun.session = session
        let (calibration, v1, v2) = try calibrationRun.run(controller: context.controller, progress: context.progress)
        let regression = try rule.evaluate(baseline: v1[0], candidate: v2[0])
        let noChange = try rule.evaluate(baseline: v1[0], candidate: v1[1])
        try PrivateFile.write(GateCommentRenderer.render(regression), to: "\(dir)/pr-comment-v1-v2.md")
        try PrivateFile.write(GateCommentRenderer.render(noChange), to: "\(dir)/pr-comment-v1-v1.md")
        try PrivateFile.writeJSON(regression, to: "\(dir)/verdict-v1-v2.json")
        try PrivateFile.writeJSON(noChange, to: "\(dir)/verdict-v1-v1.json")
        try PrivateFile.writeJSON(calibration, to: "\(dir)/calibration.json")
        try PrivateFile.writeJSON(plan, to: "\(dir)/canary-plan.json")
        let allowed = SamplingPower.allowedFalseAlarms(comparisons: n, alpha: rule.alpha)
        try writeReport(context, dir: dir, regression: regression, noChange: noChange, calibration: calibration, plan: plan, allowed: allowed)
        let headline = "v1->v2 \(regression.verdict), v1->v1 \(noChange.verdict); calibration: detection \(calibration.detections)/\(n), false alarms \(calibration.falseAlarms)/\(n) (\(Int(plan.seconds)) s canaries, ~\(Int(calibration.medianSamples)) samples, planned power \(String(format: "%.4f", plan.gatePower)))"
        var outcome = ScenarioOutcome(scenario: name, headline: headline, checks: checks(regression: regression, calibration: calibration, plan: plan, allowed: allowed, n: n))
        outcome.figures = [
            .init("canary seconds", plan.seconds, unit: "s"),
            .init("samples per canary (median)", calibration.medianSamples),
            .init("planned gate power", plan.gatePower),
            .init("planted share in the pilot", plan.sizing.pilotCandidateShare * 100, unit: "%"),
            .init("detections", Double(calibration.detections), unit: "of \(n)"),
            .init("false alarms", Double(calibration.falseAlarms), unit: "of \(n)"),
        ]
        return outcome
    }

    /// The checks: at full power the gate's own conclusions; short of it (a capped quick run), the
    /// weaker claims the samples do support, each named as such.
    private func checks(regression: GateVerdict, calibration: GateCalibration.Result, plan: CanaryPilot.Plan, allowed: Int, n: Int) -> [ScenarioOutcome.Check] {
        var checks: [ScenarioOutcome.Check] = [
            .init("canaries sized from the pilot (power >= \(plan.sizing.target))", plan.powered || plan.capped, plan.summary),
        ]
        if plan.gatePower >= plan.sizing.target {
            checks.append(.init("gate fails v1 -> v2", !regression.passed,
                                regression.reasons.first.map { "\($0.trigger.rawValue): \(FunctionName.display($0.function))" } ?? "no reason"))
            checks.append(.init("calibration detects every regression", calibration.detections == n, "\(calibration.detections)/\(n)"))
        } else {
            checks.append(.init("the gate lists the planted function among its findings in every A/B pair (weaker: the gate's power is \(String(format: "%.3f", plan.gatePower)) at this length)",
                                calibration.plantedAmongFindings == n, "\(calibration.plantedAmongFindings)/\(n); detected \(calibration.detections)/\(n)"))
        }
        checks.append(.init("A/A false alarms within what alpha = \(regression.rule.alpha) allows (<= \(allowed) of \(n) at 99.9%)",
                            calibration.falseAlarms <= allowed, "\(calibration.falseAlarms)/\(n)"))
        if plan.topChangePower >= plan.sizing.target {
            checks.append(.init("the diff's top grown function is the planted regression in every A/B pair", calibration.plantedOnTopOfDiff == n, "\(calibration.plantedOnTopOfDiff)/\(n)"))
        }
        return checks
    }

    private func writeReport(_ context: ScenarioContext, dir: String, regression: GateVerdict, noChange: GateVerdict,
                             calibration: GateCalibration.Result, plan: CanaryPilot.Plan, allowed: Int) throws {
        var report = MarkdownReport(title: "CI gate on canary profiles", machine: context.machine, command: context.command(for: name),
                                    settings: [("Agent", "one `lab agent --service` (999 Hz CPU, unwind fp) writing 2 s windows into a store; each canary is the store's samples of its version over its load"), ("Canary", "\(Int(calibration.secondsPerCanary)) s of open-loop checkout load at \(Int(CanaryPair.defaultRate))/s, ~\(Int(calibration.medianSamples)) samples each (fewest \(Int(calibration.minimumSamples)))"),
                                               ("Rule", "fail when a function enters the top \(regression.rule.topN) by self CPU or a top-\(regression.rule.topN) frame grows > \(Int(regression.rule.maxRelativeGrowth * 100))%, only if significant (Fisher's exact test, Bonferroni-corrected, α = \(regression.rule.alpha))")])
        report.heading("How long the canaries are, and why")
        report.paragraph("A short pilot of both versions measures the planted function's share, its variance ratio and the sample rate. From those, the samples per side at which the gate (its own exact test, its own batch-means widening, the worst-case Bonferroni divisor) flags the function with \(plan.sizing.target * 100)% power, and at which the diff ranks it first, are computed (`CanarySizing`); the canaries take that many with a 15% margin. " + plan.summary + ".")
        report.heading("v1 -> v2: \(regression.verdict)")
        report.paragraph("The PR comment the gate posts: [pr-comment-v1-v2.md](pr-comment-v1-v2.md).")
        report.paragraph(GateCommentRenderer.render(regression))
        report.heading("v1 -> v1: \(noChange.verdict)")
        report.paragraph("[pr-comment-v1-v1.md](pr-comment-v1-v1.md). A gate at α = \(regression.rule.alpha) fails about one A/A comparison in \(Int(1 / regression.rule.alpha)) by design; what the calibration checks is that the false-alarm count stays within what α allows (at most \(allowed) of \(calibration.comparisons) with 99.9% probability).")
        report.heading("Calibration")
        report.table(header: ["comparisons", "A/B detected", "A/A false alarms", "A/B diffs with the planted function on top"],
                     rows: [["\(calibration.comparisons)", "\(calibration.detections)/\(calibration.comparisons)", "\(calibration.falseAlarms)/\(calibration.comparisons)",
                             "\(calibration.plantedOnTopOfDiff)/\(calibration.comparisons)"]])
        try PrivateFile.write(report.text, to: "\(dir)/report.md")
    }
}
