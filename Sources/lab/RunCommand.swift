import ArgumentParser
import Foundation
import Lab
import LabRuntime

/// `lab run <scenario>|all`: the scenarios that write the evidence under results/.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run scenarios and write their evidence to results/.",
        discussion: """
        Scenarios: \(LabScenarios.all.map { "\n  \($0.name.padding(toLength: 14, withPad: " ", startingAt: 0))\($0.summary)" }.joined())

        Examples:
          lab run all                 # what `make lab` does
          lab run all --quick         # the short version `make test` runs
          lab run drill regression    # just these two
          lab run --repeat 20 --quick all   # how often each quick check holds: results/reproducibility/quick/
          lab run --repeat 3 all            # the same for full runs: results/reproducibility/full/
          lab run continuous --minutes 60   # a longer soak than make lab's 8 minutes
        """
    )

    @Argument(help: "Scenario names, or 'all'.") var scenarios: [String] = ["all"]
    @Flag(help: "Short durations (CI); conclusions are still checked.") var quick = false
    @Option(help: "Write results here instead of results/.") var results: String?
    @Option(help: "Run the scenarios N times and report each check's hold rate and each figure's spread (results/reproducibility/).")
    var `repeat`: Int?
    @Option(help: "Minutes of the continuous scenario's soak (default 8, quick 1.5).") var minutes: Double?

    /// Every scenario, the soak with its length when one is given.
    var scenarioList: [any Scenario] {
        guard let minutes else { return LabScenarios.all }
        return LabScenarios.all.map { $0 is ContinuousScenario ? ContinuousScenario(minutes: minutes) : $0 }
    }

    func validate() throws {
        if let count = `repeat`, count < 1 { throw ValidationError("--repeat must be at least 1; got \(count)") }
        if let minutes, !(minutes > 0) { throw ValidationError("--minutes must be positive; got \(minutes)") }
    }

    func run() throws {
        if let count = `repeat` {
            let runner = RepeatRunner(repeats: count, quick: quick)
            let report = try runner.run(scenarios, resultsDirectory: results ?? runner.paths.resultsDirectory, scenarios: scenarioList)
            print("\(report.runs.filter(\.passed).count) of \(report.runs.count) runs passed every check; \(report.checks.filter { $0.held == $0.runs }.count) of \(report.checks.count) checks held in every run")
            if !report.allHeld { throw CLI.Verdict(status: .failure, message: "lab: not every check held in every run (see reproducibility/)") }
            return
        }
        let context = ScenarioContext(quick: quick, resultsDirectory: results)
        let outcomes = try ScenarioRunner(scenarios: scenarioList).run(scenarios, context: context)
        let failed = outcomes.filter { !$0.passed }
        print("\(outcomes.count - failed.count) passed, \(failed.count) failed")
        if !failed.isEmpty { throw CLI.Verdict(status: .failure, message: "lab: failed: \(failed.map(\.scenario).joined(separator: ", "))") }
    }
}
