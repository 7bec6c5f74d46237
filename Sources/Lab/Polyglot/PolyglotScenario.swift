import Foundation
import ProfileModel
import LabRuntime

/// `polyglot` (also `lab symbolization`): how well each profiler names the frames of a Swift service
/// with an embedded CPython worker, per class of frame: flamelab FP/DWARF/auto with and without the
/// Python walker, against `perf record -g`, `perf record --call-graph dwarf` and bpftrace, all on the
/// same workload at the same time.
public struct PolyglotScenario: Scenario {
    public let name: String
    public let summary = "symbolization quality per class of frame: Swift vs Python, walker off/on, FP vs DWARF, vs perf and bpftrace"
    /// The command that reproduces the evidence; nil uses `lab run <name>`.
    private let reproduce: String?

    /// `name` is the results folder (`polyglot`, or `symbolization` for `lab symbolization`).
    public init(name: String = "polyglot", reproduce: String? = nil) {
        self.name = name
        self.reproduce = reproduce
    }

    /// Swift and Python routes together: checkout crosses everything, recommend is the Python worker.
    static let mix = "checkout=1,recommend=2,price=1,tax=1"

    public func run(_ context: ScenarioContext) throws -> ScenarioOutcome {
        let dir = try context.directory(for: name)
        let measurement = PolyglotMeasurement(seconds: context.pick(full: 28, quick: 10), hz: 99, port: 18300, connections: 3,
                                              mix: try RouteMix.parse(Self.mix), pySpyMaxSeconds: context.pick(full: 40, quick: 8))
        let run = try measurement.run(controller: context.controller, progress: context.progress)
        let asyncMeasurement = PolyglotAsyncMeasurement(seconds: context.pick(full: 14, quick: 6), hz: 99, port: 18301)
        let asyncRun = try asyncMeasurement.run(controller: context.controller, progress: context.progress)
        context.progress.finish()
        try PrivateFile.writeJSON(asyncRun, to: "\(dir)/async-route.json")
        try PrivateFile.writeJSON(run.figures, to: "\(dir)/symbolization.json")
        try PrivateFile.writeJSON(run.load.summaries, to: "\(dir)/load.json")
        for (label, stacks) in run.stacks {
            try PrivateFile.write(stacks.folded(), to: "\(dir)/stacks/\(label.replacingOccurrences(of: " +py", with: "-py").replacingOccurrences(of: " ", with: "-")).folded")
        }
        // Standalone pyenv 3.12 and 3.13 beside py-spy (issue 12): a process of their own, after the service's window.
        context.progress.update("polyglot: standalone CPython 3.12 and 3.13 beside py-spy")
        let work = NSTemporaryDirectory() + "flamelab-standalone-python-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let standalone = StandalonePythonComparison(seconds: context.pick(full: 14, quick: 5)).run(workDirectory: work)
        context.progress.finish()
        try PrivateFile.writeJSON(standalone, to: "\(dir)/standalone-python.json")
        let command = reproduce ?? context.command(for: name)
        try PrivateFile.write(PolyglotReport(run: run, measurement: measurement, machine: context.machine, command: command, asyncRun: asyncRun).markdown()
                                + StandalonePythonComparison.markdown(standalone),
                              to: "\(dir)/report.md")
        try PrivateFile.writeJSON(run.pySpy, to: "\(dir)/py-spy.json")
        let frameless = try framelessPrograms(context, directory: dir)
        var result = outcome(run, asyncRun: asyncRun, quick: context.quick)
        result.checks += Self.standaloneChecks(standalone, quick: context.quick)
        let shortfalls = FramelessComparison.shortfalls(frameless)
        result.checks.append(.init("programs without frame pointers: flamelab's default reaches main as often as perf --call-graph dwarf (within 2 points)",
                                   shortfalls.isEmpty, shortfalls.isEmpty ? "C and Swift, CPU and off-CPU: frameless.md" : shortfalls.joined(separator: "; ")))
        return result
    }

    /// The C and Swift programs without frame pointers (frameless.md, frameless.json).
    private func framelessPrograms(_ context: ScenarioContext, directory: String) throws -> [FramelessComparison.Row] {
        let comparison = FramelessComparison(seconds: context.pick(full: 10, quick: 3), hz: 199)
        let build = "\(directory)/frameless-build"
        try FileManager.default.createDirectory(atPath: build, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: build) }
        let rows = try comparison.run(directory: build, progress: context.progress)
        context.progress.finish()
        try PrivateFile.writeJSON(rows, to: "\(directory)/frameless.json")
        var report = MarkdownReport(title: "Stack completeness on programs built without frame pointers", machine: context.machine,
                                    command: reproduce ?? context.command(for: name), settings: [])
        report.paragraph(FramelessComparison.markdown(rows, hz: comparison.hz, seconds: comparison.seconds))
        try PrivateFile.write(report.text, to: "\(directory)/frameless.md")
        return rows
    }

    /// Issue 12's bars for standalone 3.12 and 3.13: >= 95% of samples named, hot share within 3 points of
    /// py-spy's. Quick runs (5 s) only report that they measured.
    public static func standaloneChecks(_ rows: [StandalonePythonComparison.Row], quick: Bool) -> [ScenarioOutcome.Check] {
        rows.map { row in
            let detail = row.error ?? String(format: "%.1f%% named of %d, hot %.1f%% vs py-spy %.1f%%", row.flamelabNamedPercent,
                                             row.flamelabSamples, row.flamelabHotPercent ?? .nan, row.pySpyHotPercent ?? .nan)
            if quick {
                return .init("standalone CPython \(row.version) measured beside py-spy (checked on full runs)", row.flamelabSamples > 0, detail)
            }
            let passed = row.error == nil && row.flamelabNamedPercent >= 95 && (row.gapPoints ?? 100) <= 3
            return .init("standalone CPython \(row.version): >= 95% named, hot share within 3 points of py-spy", passed, detail)
        }
    }

    /// The issue's before/after: with the walker the hot samples name `quote` (>= 90%); without it, none do.
    static func asyncCheck(_ run: PolyglotAsyncMeasurement.Run) -> ScenarioOutcome.Check {
        let on = run.rows.first { $0.setup == PolyglotAsyncMeasurement.label(walker: true) }
        let off = run.rows.first { $0.setup == PolyglotAsyncMeasurement.label(walker: false) }
        let passed = (on?.hotSamples ?? 0) > 0 && (on?.quotePercent ?? 0) >= 90 && (off?.hotSamples ?? 0) > 0 && off?.withQuote == 0
        let detail = run.rows.map { row in
            row.error.map { "\(row.setup): \($0)" } ?? String(format: "%@ %d of %d", row.setup, row.withQuote, row.hotSamples)
        }.joined(separator: ", ")
        return .init("async route: quote -> applyRules named in >= 90% of the hot samples with the walker, in none without", passed, detail)
    }

    private func outcome(_ run: PolyglotMeasurement.Run, asyncRun: PolyglotAsyncMeasurement.Run, quick: Bool) -> ScenarioOutcome {
        let figures = run.figures
        let measured = figures.filter { $0.error == nil }
        let flamelab = measured.filter { $0.setup.hasPrefix("flamelab") }
        let walker = flamelab.filter { $0.setup.hasSuffix("+py") }
        let minWorker = walker.map(\.workerPythonNamedPercent).min() ?? 0
        let minApp = flamelab.compactMap { $0.row(.app)?.namedPercent }.min() ?? 0
        let failed = figures.filter { $0.error != nil || $0.samples == 0 }
        let failedFlamelab = failed.filter { $0.setup.hasPrefix("flamelab") }
        let pythonCheck = ScenarioOutcome.Check("Python frames named in >= 90% of the worker's samples with the walker", !walker.isEmpty && minWorker >= 90,
                                                walker.map { String(format: "%@ %.1f%% of %d", $0.setup, $0.workerPythonNamedPercent, $0.workerSamples) }.joined(separator: ", "))
        var checks: [ScenarioOutcome.Check] = [
            .init("every flamelab configuration recorded samples", failedFlamelab.isEmpty,
                  failedFlamelab.isEmpty ? "\(flamelab.count) configurations" : failedFlamelab.map { "\($0.setup): \($0.error ?? "no samples")" }.joined(separator: "; ")),
            .init("Swift app frames >= 95% named (every flamelab mode)", !flamelab.isEmpty && minApp >= 95,
                  flamelab.map { String(format: "%@ %.1f%%", $0.setup, $0.row(.app)?.namedPercent ?? 0) }.joined(separator: ", ")),
        ]
        let gap = PolyglotReport.largestPySpyGap(run)
        let pySpyCheck = ScenarioOutcome.Check("the walker's Python function shares within 5 points of py-spy's (same window, power >= \(SamplingPower.target))",
                                               (gap?.points ?? 100) <= 5 && run.pySpy.agreementPower >= SamplingPower.target,
                                               gap.map { String(format: "largest gap %.1f points (%@), py-spy %d and flamelab %d samples in recommend over %.0f s: power %.4f", $0.points, $0.where as NSString, run.pySpy.recommendSamples, run.pySpy.flamelabFunctionSamples["recommend"] ?? 0, run.pySpy.seconds, run.pySpy.agreementPower) }
                                                   ?? (run.pySpy.error ?? "no py-spy samples"))
        if quick {
            checks.append(.init("py-spy comparison measured (checked <= 5 points on full runs)", gap != nil, pySpyCheck.detail))
            // A quick run's worker has a few dozen samples and the peers may not finish: report, don't gate CI on them.
            checks.append(.init("Python naming measured (checked >= 90% on full runs)", !walker.isEmpty, pythonCheck.detail))
        } else {
            checks.append(pythonCheck)
            checks.append(pySpyCheck)
            checks.append(.init("every peer profiler recorded samples", failed.isEmpty,
                                failed.isEmpty ? "\(figures.count) configurations" : failed.map { "\($0.setup): \($0.error ?? "no samples")" }.joined(separator: "; ")))
        }
        checks.append(Self.asyncCheck(asyncRun))
        return ScenarioOutcome(scenario: name, headline: PolyglotReport.headline(figures), checks: checks, figures: [
            .init("async route: quote named with the walker", asyncRun.rows.first { $0.setup == PolyglotAsyncMeasurement.label(walker: true) }?.quotePercent ?? 0, unit: "%"),
            .init("worker samples named (walker, min)", minWorker, unit: "%"),
            .init("Swift app frames named (min)", minApp, unit: "%"),
            .init("largest gap to py-spy", gap?.points ?? .nan, unit: "pp"),
            .init("py-spy comparison power", run.pySpy.agreementPower),
        ])
    }
}
