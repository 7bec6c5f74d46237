import ProfileModel
import Foundation
import LabRuntime

/// Runs scenarios in order, records each outcome in results/<name>/outcome.json, and rewrites the
/// results/README.md index from every outcome present.
public struct ScenarioRunner: Sendable {
    public let scenarios: [any Scenario]

    public init(scenarios: [any Scenario]) {
        self.scenarios = scenarios
    }

    /// Runs the scenarios named `names` ("all" for every one). A failing scenario does not stop the others.
    public func run(_ names: [String], context: ScenarioContext) throws -> [ScenarioOutcome] {
        let selected = try select(names)
        var outcomes: [ScenarioOutcome] = []
        for (index, scenario) in selected.enumerated() {
            FileHandle.standardError.write(Data("==> [\(index + 1)/\(selected.count)] \(scenario.name): \(scenario.summary)\n".utf8))
            let start = ThreadClock.now()
            var outcome: ScenarioOutcome
            do {
                outcome = try scenario.run(context)
            } catch {
                outcome = ScenarioOutcome(scenario: scenario.name, headline: "failed: \(error)",
                                          checks: [.init("scenario completed", false, String(describing: error))])
            }
            context.progress.finish()
            outcome.seconds = ThreadClock.now() - start
            try PrivateFile.writeJSON(outcome, to: "\(try context.directory(for: scenario.name))/outcome.json")
            FileHandle.standardError.write(Data(describe(outcome).utf8))
            outcomes.append(outcome)
        }
        try writeIndex(context: context)
        return outcomes
    }

    private func select(_ names: [String]) throws -> [any Scenario] {
        if names.isEmpty || names == ["all"] { return scenarios }
        return try names.map { name in
            guard let scenario = scenarios.first(where: { $0.name == name }) else {
                throw FlamelabError("failed to find scenario '\(name)': known scenarios are \(scenarios.map(\.name).joined(separator: ", ")), all")
            }
            return scenario
        }
    }

    private func describe(_ outcome: ScenarioOutcome) -> String {
        var text = String(format: "    %@ in %.0f s: ", outcome.passed ? "ok" : "FAILED", outcome.seconds) + outcome.headline + "\n"
        for check in outcome.checks {
            text += "      [\(check.passed ? "x" : " ")] \(check.name): \(check.detail)\n"
        }
        return text
    }

    /// results/README.md: one row per scenario with its headline, linking its report.
    func writeIndex(context: ScenarioContext) throws {
        var report = MarkdownReport(title: "flamelab results", machine: context.machine, command: "make lab",
                                    settings: [("Scenarios", "\(scenarios.count); each folder has report.md and its figures")])
        var rows: [[String]] = []
        for scenario in scenarios {
            let path = "\(context.resultsDirectory)/\(scenario.name)/outcome.json"
            guard let data = FileManager.default.contents(atPath: path),
                  let outcome = try? JSONDecoder().decode(ScenarioOutcome.self, from: data) else {
                rows.append([scenario.name, "not run", scenario.summary])
                continue
            }
            rows.append(["[\(scenario.name)](\(scenario.name)/report.md)", outcome.passed ? "ok" : "FAILED", outcome.headline])
        }
        report.table(header: ["scenario", "checks", "headline"], rows: rows)
        try PrivateFile.write(report.text, to: "\(context.resultsDirectory)/README.md")
    }
}
