import ArgumentParser
import Foundation
import Lab

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
        """
    )

    @Argument(help: "Scenario names, or 'all'.") var scenarios: [String] = ["all"]
    @Flag(help: "Short durations (CI); conclusions are still checked.") var quick = false
    @Option(help: "Write results here instead of results/.") var results: String?

    func run() throws {
        let context = ScenarioContext(quick: quick, resultsDirectory: results)
        let outcomes = try CLI.orExit { try ScenarioRunner(scenarios: LabScenarios.all).run(scenarios, context: context) }
        let failed = outcomes.filter { !$0.passed }
        print("\(outcomes.count - failed.count) passed, \(failed.count) failed")
        if !failed.isEmpty { throw ExitCode(1) }
    }
}
