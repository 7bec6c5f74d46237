import Foundation
import ProfileModel

/// `gate`: the CI gate on canary profiles: v1 -> v2 must fail (with its PR comment), v1 -> v1 must pass,
/// and a calibration of N A/A and N A/B comparisons gives the false-alarm and detection rates.
public struct GateScenario: Scenario {
    public let name = "gate"
    public let summary = "CI gate on canary profiles: v1->v2 fails, v1->v1 passes, calibration"

    public init() {}

    public func run(_ context: ScenarioContext) throws -> ScenarioOutcome {
        let dir = try context.directory(for: name)
        let n = context.pick(full: 10, quick: 2)
        let seconds = context.pick(full: 6.0, quick: 3.0)
        let rule = GateRule()
        let (calibration, v1, v2) = try GateCalibration(comparisons: n, secondsPerCanary: seconds).run(controller: context.controller, progress: context.progress)
        let regression = try rule.evaluate(baseline: v1[0], candidate: v2[0])
        let noChange = try rule.evaluate(baseline: v1[0], candidate: v1[1])
        try PrivateFile.write(GateCommentRenderer.render(regression), to: "\(dir)/pr-comment-v1-v2.md")
        try PrivateFile.write(GateCommentRenderer.render(noChange), to: "\(dir)/pr-comment-v1-v1.md")
        try PrivateFile.writeJSON(regression, to: "\(dir)/verdict-v1-v2.json")
        try PrivateFile.writeJSON(noChange, to: "\(dir)/verdict-v1-v1.json")
        try PrivateFile.writeJSON(calibration, to: "\(dir)/calibration.json")
        try writeReport(context, dir: dir, regression: regression, noChange: noChange, calibration: calibration)
        let headline = "v1->v2 \(regression.verdict), v1->v1 \(noChange.verdict); calibration: detection \(calibration.detections)/\(n), false alarms \(calibration.falseAlarms)/\(n) (\(Int(seconds)) s canaries, ~\(Int(calibration.medianSamples)) samples)"
        return ScenarioOutcome(scenario: name, headline: headline, checks: [
            .init("gate fails v1 -> v2", !regression.passed, regression.reasons.first.map { "\($0.trigger.rawValue): \(FunctionName.display($0.function))" } ?? "no reason"),
            .init("gate passes v1 -> v1", noChange.passed, noChange.verdict),
            .init("calibration detects every regression", calibration.detections == n, "\(calibration.detections)/\(n)"),
            .init("calibration raises no false alarm", calibration.falseAlarms == 0, "\(calibration.falseAlarms)/\(n)"),
            .init("the diff's top changed function is the planted regression in every A/B pair", calibration.plantedOnTopOfDiff == n, "\(calibration.plantedOnTopOfDiff)/\(n)"),
        ])
    }

    private func writeReport(_ context: ScenarioContext, dir: String, regression: GateVerdict, noChange: GateVerdict, calibration: GateCalibration.Result) throws {
        var report = MarkdownReport(title: "CI gate on canary profiles", machine: context.machine, command: context.command(for: name),
                                    settings: [("Agent", "999 Hz CPU, unwind fp"), ("Canary", "\(Int(calibration.secondsPerCanary)) s of open-loop checkout load at 40/s, ~\(Int(calibration.medianSamples)) samples each"),
                                               ("Rule", "fail when a function enters the top \(regression.rule.topN) by self CPU or a top-\(regression.rule.topN) frame grows > \(Int(regression.rule.maxRelativeGrowth * 100))%, only if significant (Fisher's exact test, Bonferroni-corrected, α = \(regression.rule.alpha))")])
        report.heading("v1 -> v2: \(regression.verdict)")
        report.paragraph("The PR comment the gate posts: [pr-comment-v1-v2.md](pr-comment-v1-v2.md).")
        report.paragraph(GateCommentRenderer.render(regression))
        report.heading("v1 -> v1: \(noChange.verdict)")
        report.paragraph("[pr-comment-v1-v1.md](pr-comment-v1-v1.md)")
        report.heading("Calibration")
        report.table(header: ["comparisons", "A/B detected", "A/A false alarms", "A/B diffs with the planted function on top"],
                     rows: [["\(calibration.comparisons)", "\(calibration.detections)/\(calibration.comparisons)", "\(calibration.falseAlarms)/\(calibration.comparisons)",
                             "\(calibration.plantedOnTopOfDiff)/\(calibration.comparisons)"]])
        try PrivateFile.write(report.text, to: "\(dir)/report.md")
    }
}
