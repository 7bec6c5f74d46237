import Foundation
import LabRuntime

/// What `lab run --repeat N` found: how often each check held over the runs, how far each headline
/// figure moved, and how long each run took. Built from the runs' outcomes only.
public struct ReproducibilityReport: Codable, Sendable {
    /// One check's hold rate: held in `held` of `runs` runs, with the detail of the runs it failed in.
    public struct CheckRate: Codable, Sendable {
        public var scenario: String
        public var check: String
        public var held: Int
        public var runs: Int
        public var failures: [String]
    }

    /// One figure's values over the runs, in run order (NaN where a run had none).
    public struct FigureSeries: Codable, Sendable {
        public var scenario: String
        public var name: String
        public var unit: String
        public var values: [Double]

        public var finite: [Double] { values.filter(\.isFinite) }
        public var median: Double? { Statistics.median(finite) }
        public var min: Double? { finite.min() }
        public var max: Double? { finite.max() }
    }

    /// One run: its number, whether every check held, and its duration.
    public struct Run: Codable, Sendable {
        public var index: Int
        public var passed: Bool
        public var seconds: Double
        public var failedChecks: Int
    }

    public var quick: Bool
    public var scenarios: [String]
    public var runs: [Run]
    public var checks: [CheckRate]
    public var figures: [FigureSeries]

    /// Aggregates the outcomes of each run (`outcomes[i]` are run i's scenario outcomes).
    public init(quick: Bool, scenarios: [String], outcomes: [[ScenarioOutcome]]) {
        self.quick = quick
        self.scenarios = scenarios
        runs = outcomes.enumerated().map { index, run in
            Run(index: index + 1, passed: run.allSatisfy(\.passed), seconds: run.reduce(0) { $0 + $1.seconds },
                failedChecks: run.reduce(0) { $0 + $1.checks.filter { !$0.passed }.count })
        }
        checks = Self.checkRates(outcomes)
        figures = Self.figureSeries(outcomes)
    }

    /// Checks are matched by scenario and name; a check's name may carry figures in parentheses
    /// (e.g. a power), which are cut so that the same check matches across runs.
    static func key(_ name: String) -> String {
        name.range(of: " (").map { String(name[..<$0.lowerBound]) } ?? name
    }

    private static func checkRates(_ outcomes: [[ScenarioOutcome]]) -> [CheckRate] {
        var order: [String] = [], rates: [String: CheckRate] = [:]
        for run in outcomes {
            for outcome in run {
                for check in outcome.checks {
                    let id = outcome.scenario + "\u{1f}" + key(check.name)
                    if rates[id] == nil {
                        order.append(id)
                        rates[id] = CheckRate(scenario: outcome.scenario, check: key(check.name), held: 0, runs: 0, failures: [])
                    }
                    rates[id]!.runs += 1
                    if check.passed { rates[id]!.held += 1 } else { rates[id]!.failures.append(check.detail) }
                }
            }
        }
        return order.compactMap { rates[$0] }
    }

    private static func figureSeries(_ outcomes: [[ScenarioOutcome]]) -> [FigureSeries] {
        var order: [String] = [], series: [String: FigureSeries] = [:]
        for (index, run) in outcomes.enumerated() {
            for outcome in run {
                for figure in outcome.figures {
                    let id = outcome.scenario + "\u{1f}" + figure.name
                    if series[id] == nil {
                        order.append(id)
                        series[id] = FigureSeries(scenario: outcome.scenario, name: figure.name, unit: figure.unit,
                                                  values: [Double](repeating: .nan, count: outcomes.count))
                    }
                    series[id]!.values[index] = figure.value
                }
            }
        }
        return order.compactMap { series[$0] }
    }

    /// Every check held in every run it ran in.
    public var allHeld: Bool { checks.allSatisfy { $0.held == $0.runs } }

    /// report.md: the hold rates, the figures' spreads and the durations.
    public func markdown(machine: MachineInfo, command: String) -> String {
        let held = checks.filter { $0.held == $0.runs }.count
        let durations = runs.map(\.seconds)
        var report = MarkdownReport(title: "Reproducibility: \(runs.count) \(quick ? "quick" : "full") runs", machine: machine, command: command, settings: [
            ("Scenarios", scenarios.joined(separator: ", ")),
            ("Runs", "\(runs.filter(\.passed).count) of \(runs.count) passed every check"),
            ("Checks", "\(held) of \(checks.count) held in every run"),
            ("Duration per run", String(format: "median %.0f s, range %.0f..%.0f s", Statistics.median(durations) ?? 0, durations.min() ?? 0, durations.max() ?? 0)),
        ])
        report.heading("Hold rate per check")
        report.table(header: ["scenario", "check", "held", "failed runs: detail"], rows: checks.map { c in
            [c.scenario, c.check, "\(c.held)/\(c.runs)", c.failures.isEmpty ? "" : c.failures.map(Self.cell).joined(separator: "<br>")]
        })
        report.heading("Headline figures over the runs")
        report.image("each figure across the runs", path: "figures.svg")
        report.table(header: ["scenario", "figure", "median", "min", "max", "runs"], rows: figures.map { f in
            [f.scenario, f.name + (f.unit.isEmpty ? "" : " (\(f.unit))"), Self.number(f.median), Self.number(f.min), Self.number(f.max), "\(f.finite.count)"]
        })
        report.heading("Runs")
        report.table(header: ["run", "all checks held", "failed checks", "seconds"], rows: runs.map { r in
            ["\(r.index)", r.passed ? "yes" : "no", "\(r.failedChecks)", String(format: "%.0f", r.seconds)]
        })
        return report.text
    }

    static func number(_ value: Double?) -> String { RunSeriesChart.number(value) }

    /// The figures as the chart's panels.
    public var panels: [RunSeriesChart.Panel] {
        figures.map { .init(label: "\($0.scenario): \($0.name)" + ($0.unit.isEmpty ? "" : " (\($0.unit))"), values: $0.values) }
    }

    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
