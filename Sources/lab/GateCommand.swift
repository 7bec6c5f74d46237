import ArgumentParser
import Foundation
import Lab
import LabRuntime
import ProfileModel
import ProfileStore

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

        Kernel time: CPU samples whose leaf frame is in the kernel are left out of both profiles by default \
        (--kernel exclude), so the shares are of user-space CPU; a shared machine's interrupts and lock \
        contention land in the kernel and once made an A/A comparison of one build fail. The verdict reports \
        the kernel's share of each profile. --kernel include tests kernel functions like any other.

        Examples:
          lab gate --baseline v1.pb.gz --candidate v2.pb.gz --comment gate.md --json gate.json
          lab gate --baseline v1.folded --candidate v2.folded --top 5 --max-growth 15
          lab gate --canary --duration 5m --comment gate.md        # with `lab agent` running: its store, nothing captured
          lab gate --canary --store p.sqlite --version v2 --previous v1 --duration 10m
          lab gate --canary --version v2 --previous v1 --duration 5m   # no agent: profile the service itself
          lab gate --calibrate 10 --duration 6s                                          # false-alarm / detection rates
        """
    )

    @Option(help: "The baseline profile (previous version): .pb.gz, .folded, .speedscope.json.") var baseline: String?
    @Option(help: "The candidate profile (the deploy under test).") var candidate: String?
    @OptionGroup var sampleType: SampleTypeOption
    @Option(help: "Write the markdown PR comment here (mode 0600).") var comment: String?
    @Option(help: "Write the verdict as JSON here (mode 0600).") var json: String?
    @Option(help: "How many top functions by self CPU the rule watches (default 5).",
            transform: { try GateCommand.parse($0, "--top", "an integer 1...100") { Int($0).flatMap { (1...100).contains($0) ? $0 : nil } } })
    var top: Int?
    @Option(name: .customLong("max-growth"), help: "Largest allowed relative growth of a top function's self share, percent (default 15).",
            transform: { try GateCommand.parse($0, "--max-growth", "a percentage such as 15") { Percent(argument: $0)?.fraction } })
    var maxGrowth: Double?
    @Option(name: .customLong("min-change"), help: "Smallest rise of a self share that can fail the gate, percentage points (default 0: no floor).",
            transform: { try GateCommand.parse($0, "--min-change", "percentage points such as 2") { PercentagePoints(argument: $0)?.fraction } })
    var minChange: Double?
    @Option(help: "Family-wise significance level before the Bonferroni correction (default 0.01).",
            transform: { try GateCommand.parse($0, "--alpha", "a level in (0, 1)") { Double($0).flatMap { $0 > 0 && $0 < 1 ? $0 : nil } } })
    var alpha: Double?
    @Option(help: "Whether CPU samples taken in the kernel are tested: exclude (default; shares are of user-space CPU, as a shared machine's interrupts land in the kernel) or include.")
    var kernel: GateKernelTime = .exclude
    @Flag(name: .customLong("literal-entrants"), help: "Any significant rise into the top N fails, even without growth past --max-growth.")
    var literalEntrants = false
    @Flag(help: "Canary profiles of --previous and --version: from the store when an agent writes it (or --store is given), else captured from the shop service.")
    var canary = false
    @Option(name: .customLong("store"), help: "Canary mode: the profile store to read both sides from (default: results/runs/profiles.sqlite when an agent writes it).")
    var storePath: String?
    @Option(help: "Canary mode with a store: the service label (default flamelab-shop).") var service: String = "flamelab-shop"
    @Option(help: "Canary mode: the candidate version (default v2).") var version: String?
    @Option(help: "Canary mode: the baseline version (default v1).") var previous: String?
    @Option(help: "Canary/calibration: profiling time per capture, e.g. 5m, 30s (default 5m canary, 6s calibration).",
            transform: { try GateCommand.parse($0, "--duration", "e.g. 30s or 5m") { Duration(argument: $0)?.seconds } })
    var duration: Double?
    @Option(help: "Run N A/A and N A/B comparisons and report false-alarm and detection rates.",
            transform: { try GateCommand.parse($0, "--calibrate", "1...100 comparisons") { Int($0).flatMap { (1...100).contains($0) ? $0 : nil } } })
    var calibrate: Int?
    // Anything unknown is a usage error with the gate's own wording (exit 2, as every usage error).
    @Argument(parsing: .allUnrecognized, help: .hidden) var unrecognized: [String] = []

    /// Parses one option's text, or throws `failed to parse OPTION: want WHAT, got 'TEXT'`.
    static func parse<T>(_ text: String, _ option: String, _ what: String, _ value: (String) -> T?) throws -> T {
        guard let parsed = value(text) else { throw ValidationError("failed to parse \(option): want \(what), got '\(text)'") }
        return parsed
    }

    func validate() throws {
        if let extra = unrecognized.first { throw ValidationError("failed to parse arguments: unexpected '\(extra)'") }
        guard !canary && calibrate == nil else {
            // Canaries and calibrations are CPU profiles: the option would be silently ignored there.
            if let text = sampleType.text { throw ValidationError("failed to parse arguments: --sample-type \(text) applies to memory profiles given with --baseline/--candidate, not to --canary or --calibrate") }
            return
        }
        if (baseline ?? "").isEmpty { throw ValidationError("failed to parse arguments: --baseline is required") }
        if (candidate ?? "").isEmpty { throw ValidationError("failed to parse arguments: --candidate is required") }
    }

    func run() throws {
        if let calibrate { return try runCalibration(calibrate) }
        if canary { return try runCanary() }
        let base = try sampleType.apply(try ProfileFile.read(baseline ?? ""), source: baseline ?? "")
        let cand = try sampleType.apply(try ProfileFile.read(candidate ?? ""), source: candidate ?? "")
        try finish(try rule().evaluate(baseline: base, candidate: cand))
    }

    /// Writes the comment and JSON, prints the summary, exits 0 (pass) or 1 (regression).
    private func finish(_ verdict: GateVerdict) throws {
        if let comment { try PrivateFile.write(GateCommentRenderer.render(verdict), to: comment) }
        if let json { try PrivateFile.writeJSON(verdict, to: json) }
        print(Self.summary(verdict))
        if let comment { print("wrote \(comment)") }
        if let json { print("wrote \(json)") }
        if !verdict.passed { throw CLI.Verdict(status: .failure, message: nil) }
    }

    /// Canary mode: from the continuous store when an agent writes it, else profile --previous then
    /// --version of the shop service under the same checkout load.
    private func runCanary() throws {
        let path = storePath ?? ContinuousAgentConfig.defaultStorePath
        if storePath != nil || StoreLock.holder(storePath: path) != nil { return try runStoreCanary(path) }
        let seconds = duration ?? 300
        let load = try CanaryPair.load(rate: CanaryPair.defaultRate, seconds: seconds)
        let pair = try CanaryPair.capture(baseVersion: previous ?? "v1", candidateVersion: version ?? "v2", port: 18550, hz: 999,
                                          load: load, controller: ServiceController())
        let base = try pair.base.profile(.cpu), cand = try pair.candidate.profile(.cpu)
        print("canary: \(Int(seconds)) s per version at 999 Hz: \(base.samples.count) baseline and \(cand.samples.count) candidate samples")
        try finish(try rule().evaluate(baseline: base, candidate: cand))
    }

    /// Store canary: each version's last --duration as `lab agent` stored it; nothing is captured.
    private func runStoreCanary(_ path: String) throws {
        let store = try ProfileStore(existing: path)
        let seconds = duration ?? 300
        let plan = try StoreCanary.plan(try store.summaries(filter: RunFilter(service: service, kind: .cpu)), service: service,
                                        candidate: version, baseline: previous, seconds: seconds)
        let (base, cand) = try plan.profiles(store, service: service)
        for (side, profile) in [(plan.baseline, base), (plan.candidate, cand)] where profile.samples.isEmpty {
            throw FlamelabError.failed("gate", "the store canary", "version \(side.version) has no CPU sample in its last \(Int(seconds)) s", code: .input)
        }
        print("canary from the store \(path): \(plan.baseline.version) \(base.samples.count) samples, \(plan.candidate.version) \(cand.samples.count) samples (each its last \(Int(seconds)) s)")
        try finish(try rule().evaluate(baseline: base, candidate: cand))
    }

    /// Calibration mode: N A/A and N A/B canary comparisons.
    private func runCalibration(_ n: Int) throws {
        var calibration = GateCalibration(comparisons: n, secondsPerCanary: duration ?? 6)
        calibration.rule = rule()
        let progress = ProgressLine()
        let result = try calibration.run(controller: ServiceController(), progress: progress).result
        progress.finish()
        print("calibration: \(n) A/A comparisons: \(result.falseAlarms) false alarms; \(n) A/B comparisons (v1 -> v2): \(result.detections) detected, \(result.plantedOnTopOfDiff) with the planted function on top of the diff; \(Int(result.secondsPerCanary)) s canaries, median \(Int(result.medianSamples)) samples")
        if let json { try PrivateFile.writeJSON(result, to: json) }
    }

    /// The rule the options describe.
    private func rule() -> GateRule {
        var rule = GateRule()
        if let top { rule.topN = top }
        if let maxGrowth { rule.maxRelativeGrowth = maxGrowth }
        if let minChange { rule.minAbsoluteChange = minChange }
        if let alpha { rule.alpha = alpha }
        rule.entrantRequiresGrowth = !literalEntrants
        rule.kernelTime = kernel
        return rule
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
        if let k = v.kernelShare, k.baseline > 0 || k.candidate > 0 {
            lines.append("  kernel CPU, not tested (--kernel include tests it): \(pc(k.baseline)) -> \(pc(k.candidate))")
        }
        return lines.joined(separator: "\n")
    }
}
