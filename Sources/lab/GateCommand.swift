import ArgumentParser
import Foundation
import Lab
import ProfileModel

/// `lab gate`: the deploy gate. Exit 0 pass, 1 regression, 2 usage or input error.
struct GateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "Fail a deploy whose candidate profile regresses against the baseline (exit 0 pass, 1 regression, 2 usage/input error).",
        discussion: """
        Rule: fail when a function enters the top N (--top, default 5) by self CPU that was not in the \
        baseline's top N, or when a top-N function's self share (of its own profile's total) grows by more than \
        --max-growth percent (default 15). An entrant must also be new or have grown by more than --max-growth \
        (a rank swap of two near-equal functions is not a regression) unless --literal-entrants is given.

        Noise guard: a trigger fails the gate only if its change is significant at the samples collected: \
        Fisher's exact test of the self share, two-sided, at --alpha (default 0.01; at 0.05 two of twenty A/A \
        comparisons of one build failed, on kernel symbols where deferred timer interrupts land) divided by \
        the number of functions tested (Bonferroni over the union of both top-N lists), with the counts \
        shrunk by how much more the share varies across time blocks of each profile than independent \
        samples would (batch means). With --min-change the share must also rise by that many percentage \
        points. Triggers that do not count are reported and do not fail. The report also states the smallest relative growth of the baseline's top-N \
        shares detectable at these sample counts (80% power) and whether that is enough to see --max-growth.

        Examples:
          lab gate --baseline v1.pb.gz --candidate v2.pb.gz --comment gate.md --json gate.json
          lab gate --baseline v1.folded --candidate v2.folded --top 5 --max-growth 15
          lab gate --canary --version v2 --previous v1 --duration 5m --comment gate.md   # profile the service itself
          lab gate --calibrate 10 --duration 6s                                          # false-alarm / detection rates
        """
    )

    @Option(help: "The baseline profile (previous version): .pb.gz, .folded, .speedscope.json.") var baseline: String?
    @Option(help: "The candidate profile (the deploy under test).") var candidate: String?
    @Option(help: "Write the markdown PR comment here (mode 0600).") var comment: String?
    @Option(help: "Write the verdict as JSON here (mode 0600).") var json: String?
    @Option(help: "How many top functions by self CPU the rule watches (default 5).") var top: String?
    @Option(name: .customLong("max-growth"), help: "Largest allowed relative growth of a top function's self share, percent (default 15).")
    var maxGrowth: String?
    @Option(name: .customLong("min-change"), help: "Smallest rise of a self share that can fail the gate, percentage points (default 0: no floor).")
    var minChange: String?
    @Option(help: "Family-wise significance level before the Bonferroni correction (default 0.01).") var alpha: String?
    @Flag(name: .customLong("literal-entrants"), help: "Any significant rise into the top N fails, even without growth past --max-growth.")
    var literalEntrants = false
    @Flag(help: "Capture canary profiles of --previous and --version from the shop service itself, then gate.") var canary = false
    @Option(help: "Canary mode: the candidate version (default v2).") var version: String?
    @Option(help: "Canary mode: the baseline version (default v1).") var previous: String?
    @Option(help: "Canary/calibration: profiling time per capture, e.g. 5m, 30s (default 5m canary, 6s calibration).") var duration: String?
    @Option(help: "Run N A/A and N A/B comparisons and report false-alarm and detection rates.") var calibrate: String?
    // Parsed by hand so every usage error exits 2 (ArgumentParser's own validation exits 64).
    @Argument(parsing: .allUnrecognized, help: .hidden) var unrecognized: [String] = []

    func run() throws {
        if let calibrate { return try runCalibration(calibrate) }
        if canary { return try runCanary() }
        let parsed: (rule: GateRule, paths: (String, String))
        do {
            parsed = try parse()
        } catch let error as LabError {
            Self.fail("\(error.description)\n\(Self.helpMessage(columns: 100).split(separator: "\n").prefix(2).joined(separator: "\n"))")
        }
        let verdict: GateVerdict
        do {
            let base = try ProfileInput.read(parsed.paths.0)
            let cand = try ProfileInput.read(parsed.paths.1)
            verdict = try parsed.rule.evaluate(baseline: base, candidate: cand)
        } catch let error as LabError {
            Self.fail(error.description)
        } catch {
            Self.fail("\(error)")
        }
        try finish(verdict)
    }

    /// Writes the comment and JSON, prints the summary, exits 0 (pass) or 1 (regression).
    private func finish(_ verdict: GateVerdict) throws {
        do {
            if let comment { try PrivateFile.write(GateCommentRenderer.render(verdict), to: comment) }
            if let json { try PrivateFile.writeJSON(verdict, to: json) }
        } catch {
            Self.fail("\(error)")
        }
        print(Self.summary(verdict))
        if let comment { print("wrote \(comment)") }
        if let json { print("wrote \(json)") }
        throw verdict.passed ? ExitCode.success : ExitCode(1)
    }

    /// Canary mode: profile --previous then --version of the shop service under the same checkout load.
    private func runCanary() throws {
        let seconds = try durationSeconds(default: 300)
        let load = try CanaryPair.load(rate: 40, seconds: seconds)
        let pair: CanaryPair
        do {
            pair = try CanaryPair.capture(baseVersion: previous ?? "v1", candidateVersion: version ?? "v2", port: 18550, hz: 999,
                                          load: load, controller: ServiceController())
        } catch {
            Self.fail("failed to capture canary profiles: \(error)")
        }
        let base = try pair.base.profile(.cpu), cand = try pair.candidate.profile(.cpu)
        print("canary: \(Int(seconds)) s per version at 999 Hz: \(base.samples.count) baseline and \(cand.samples.count) candidate samples")
        let verdict: GateVerdict
        do { verdict = try parse().0.evaluate(baseline: base, candidate: cand) } catch { Self.fail("\(error)") }
        try finish(verdict)
    }

    /// Calibration mode: N A/A and N A/B canary comparisons.
    private func runCalibration(_ text: String) throws {
        guard let n = Int(text), (1...100).contains(n) else { Self.fail("failed to parse --calibrate: want 1...100 comparisons, got '\(text)'") }
        var calibration = GateCalibration(comparisons: n, secondsPerCanary: try durationSeconds(default: 6))
        do { calibration.rule = try parse().0 } catch { Self.fail("\(error)") }
        let progress = ProgressLine()
        let result: GateCalibration.Result
        do { result = try calibration.run(controller: ServiceController(), progress: progress).result } catch { Self.fail("failed to calibrate the gate: \(error)") }
        progress.finish()
        print("calibration: \(n) A/A comparisons: \(result.falseAlarms) false alarms; \(n) A/B comparisons (v1 -> v2): \(result.detections) detected, \(result.plantedOnTopOfDiff) with the planted function on top of the diff; \(Int(result.secondsPerCanary)) s canaries, median \(Int(result.medianSamples)) samples")
        if let json { try CLI.orExit { try PrivateFile.writeJSON(result, to: json) } }
    }

    private func durationSeconds(default fallback: Double) throws -> Double {
        guard let duration else { return fallback }
        guard let seconds = DurationParser.seconds(duration) else { Self.fail("failed to parse --duration: want e.g. 30s or 5m, got '\(duration)'") }
        return seconds
    }

    /// Usage and input errors: one line on stderr, exit 2.
    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("lab gate: \(message)\n".utf8))
        Foundation.exit(2)
    }

    private func parse() throws -> (GateRule, (String, String)) {
        if let extra = unrecognized.first { throw LabError("failed to parse arguments: unexpected '\(extra)'") }
        let needsFiles = !canary && calibrate == nil
        let baseline = self.baseline ?? "", candidate = self.candidate ?? ""
        if needsFiles && baseline.isEmpty { throw LabError("failed to parse arguments: --baseline is required") }
        if needsFiles && candidate.isEmpty { throw LabError("failed to parse arguments: --candidate is required") }
        var rule = GateRule()
        if let top {
            guard let n = Int(top), n >= 1, n <= 100 else { throw LabError("failed to parse --top: want an integer 1...100, got '\(top)'") }
            rule.topN = n
        }
        if let maxGrowth {
            let text = maxGrowth.hasSuffix("%") ? String(maxGrowth.dropLast()) : maxGrowth
            guard let percent = Double(text), percent >= 0, percent.isFinite else {
                throw LabError("failed to parse --max-growth: want a percentage such as 15, got '\(maxGrowth)'")
            }
            rule.maxRelativeGrowth = percent / 100
        }
        if let minChange {
            let text = minChange.hasSuffix("pts") ? String(minChange.dropLast(3)).trimmingCharacters(in: .whitespaces) : minChange
            guard let points = Double(text), points >= 0, points < 100 else {
                throw LabError("failed to parse --min-change: want percentage points such as 2, got '\(minChange)'")
            }
            rule.minAbsoluteChange = points / 100
        }
        if let alpha {
            guard let a = Double(alpha), a > 0, a < 1 else { throw LabError("failed to parse --alpha: want a level in (0, 1), got '\(alpha)'") }
            rule.alpha = a
        }
        rule.entrantRequiresGrowth = !literalEntrants
        return (rule, (baseline, candidate))
    }

    /// The terminal summary: verdict, reasons, not-significant triggers, sample-size note.
    static func summary(_ v: GateVerdict) -> String {
        func pc(_ x: Double) -> String { String(format: "%.2f%%", x * 100) }
        var lines = ["gate: \(v.passed ? "PASS" : "FAIL (regression)")  (baseline \(Int(v.baselineSamples)) samples, candidate \(Int(v.candidateSamples)) samples)"]
        lines.append("  baseline top \(v.rule.topN): \(v.baselineTop.joined(separator: ", "))")
        lines.append("  candidate top \(v.rule.topN): \(v.candidateTop.joined(separator: ", "))")
        for f in v.reasons {
            let what = f.trigger == .enteredTopN ? "entered the top \(v.rule.topN)" : "grew more than \(Int(v.rule.maxRelativeGrowth * 100))%"
            lines.append("  FAIL: \(f.function) \(what): \(pc(f.baseShare)) -> \(pc(f.candShare)), p=\(String(format: "%.2g", f.pValue))")
        }
        for f in v.notSignificant {
            lines.append("  not significant (ignored): \(f.function): \(pc(f.baseShare)) -> \(pc(f.candShare)), p=\(String(format: "%.2g", f.pValue)) >= \(String(format: "%.3g", v.correctedAlpha))")
        }
        let s = v.sampleSize
        let mdc = s.minimumDetectableRelativeChange.map { String(format: "%.1f%%", $0 * 100) } ?? "none"
        lines.append("  detectable growth at these samples: \(mdc) (\(s.enough ? "enough" : "NOT enough") to see \(Int(v.rule.maxRelativeGrowth * 100))%)")
        return lines.joined(separator: "\n")
    }
}
