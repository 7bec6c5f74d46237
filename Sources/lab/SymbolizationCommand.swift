import ArgumentParser
import Foundation
import Lab
import LabRuntime

/// `lab symbolization`: the symbolization-quality evidence (the `polyglot` scenario's measurement)
/// written to results/symbolization/.
struct SymbolizationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "symbolization",
        abstract: "Measure how well each profiler names Swift, runtime, glibc, libpython, Python and kernel frames (root).",
        discussion: """
        Starts the shop service (v1, port 18300), drives checkout/recommend/price/tax, and profiles the
        same workload at once with flamelab fp/dwarf/auto (Python walker off and on), perf record -g,
        perf record --call-graph dwarf and bpftrace. Per class of frame: % named, % of stacks reaching
        a root frame, [unknown] count. The same measurement as `lab run polyglot`, in its own folder.

        Examples:
          lab symbolization                     # ~3 min, writes results/symbolization/report.md
          lab symbolization --quick             # 10 s window, ~1.5 min
          lab symbolization --results /tmp/r    # writes /tmp/r/symbolization/
        """
    )

    @Flag(help: "Short recording window (CI).") var quick = false
    @Option(help: "Write results here instead of results/.") var results: String?

    func run() throws {
        let context = ScenarioContext(quick: quick, resultsDirectory: results)
        let scenario = PolyglotScenario(name: "symbolization", reproduce: "make build && .build/release/lab symbolization\(quick ? " --quick" : "")")
        let outcome = try scenario.run(context)
        try PrivateFile.writeJSON(outcome, to: "\(try context.directory(for: scenario.name))/outcome.json")
        print(outcome.headline)
        for check in outcome.checks { print("  [\(check.passed ? "x" : " ")] \(check.name): \(check.detail)") }
        print("report: \(context.resultsDirectory)/\(scenario.name)/report.md")
        if !outcome.passed { throw CLI.Verdict(status: .failure, message: "lab: a symbolization check failed") }
    }
}
