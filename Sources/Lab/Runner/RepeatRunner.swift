import ProfileModel
import Foundation
import LabRuntime

/// `lab run --repeat N`: runs the same scenarios N times, each run into its own scratch folder, and
/// writes the reproducibility report after every run (so an interrupted series keeps what it had).
public struct RepeatRunner: Sendable {
    public var repeats: Int
    public var quick: Bool
    public var paths: LabPaths

    public init(repeats: Int, quick: Bool, paths: LabPaths = LabPaths()) {
        self.repeats = repeats
        self.quick = quick
        self.paths = paths
    }

    /// Runs `names` `repeats` times; `resultsDirectory` holds `reproducibility/<quick|full>/` and the
    /// runs under `runs/repeat-<quick|full>/<i>/`.
    public func run(_ names: [String], resultsDirectory: String, scenarios: [any Scenario]) throws -> ReproducibilityReport {
        let mode = quick ? "quick" : "full"
        let reportDirectory = "\(resultsDirectory)/reproducibility/\(mode)"
        var outcomes: [[ScenarioOutcome]] = []
        var report = ReproducibilityReport(quick: quick, scenarios: [], outcomes: [])
        for index in 1...repeats {
            FileHandle.standardError.write(Data("==> repeat \(index)/\(repeats) (\(mode))\n".utf8))
            let context = ScenarioContext(paths: paths, quick: quick, resultsDirectory: "\(resultsDirectory)/runs/repeat-\(mode)/\(index)")
            let run = try ScenarioRunner(scenarios: scenarios).run(names, context: context)
            outcomes.append(run)
            report = ReproducibilityReport(quick: quick, scenarios: run.map(\.scenario), outcomes: outcomes)
            try write(report, to: reportDirectory, machine: context.machine, names: names)
            let held = report.checks.filter { $0.held == $0.runs }.count
            FileHandle.standardError.write(Data("==> after \(index) runs: \(report.runs.filter(\.passed).count) passed every check; \(held)/\(report.checks.count) checks held in all\n".utf8))
        }
        return report
    }

    private func write(_ report: ReproducibilityReport, to directory: String, machine: MachineInfo, names: [String]) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw FlamelabError("failed to create \(directory): \(error.localizedDescription)")
        }
        let command = "make build && .build/release/lab run --repeat \(repeats)\(quick ? " --quick" : "") \(names.joined(separator: " "))"
        try PrivateFile.write(report.markdown(machine: machine, command: command), to: "\(directory)/report.md")
        try PrivateFile.writeJSON(report, to: "\(directory)/report.json")
        let title = "\(report.runs.count) \(quick ? "quick" : "full") runs: each headline figure, run by run"
        try PrivateFile.write(RunSeriesChart(title: title, series: report.panels).svg(), to: "\(directory)/figures.svg")
    }
}
