import LabRuntime
/// What a scenario concluded: a headline for the index, and the checks behind its key conclusion.
public struct ScenarioOutcome: Codable, Sendable {
    /// One verified conclusion, e.g. "off-CPU top frame is InventoryClient.fetchStockLevel".
    public struct Check: Codable, Sendable {
        public var name: String
        public var passed: Bool
        public var detail: String

        public init(_ name: String, _ passed: Bool, _ detail: String) {
            self.name = name
            self.passed = passed
            self.detail = detail
        }
    }

    /// One headline number, named so that repeated runs can be compared figure by figure.
    public struct Figure: Codable, Sendable, Equatable {
        public var name: String
        public var value: Double
        public var unit: String

        public init(_ name: String, _ value: Double, unit: String = "") {
            self.name = name
            self.value = value
            self.unit = unit
        }
    }

    public var scenario: String
    public var headline: String
    public var checks: [Check]
    /// The headline's numbers (`lab run --repeat` reports their spread over runs).
    public var figures: [Figure] = []
    public var seconds: Double = 0

    public init(scenario: String, headline: String, checks: [Check], figures: [Figure] = []) {
        self.scenario = scenario
        self.headline = headline
        self.checks = checks
        self.figures = figures
    }

    public var passed: Bool { checks.allSatisfy(\.passed) }

    private enum CodingKeys: String, CodingKey { case scenario, headline, checks, figures, seconds }

    /// Outcomes written before figures existed decode with none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        scenario = try container.decode(String.self, forKey: .scenario)
        headline = try container.decode(String.self, forKey: .headline)
        checks = try container.decode([Check].self, forKey: .checks)
        figures = try container.decodeIfPresent([Figure].self, forKey: .figures) ?? []
        seconds = try container.decodeIfPresent(Double.self, forKey: .seconds) ?? 0
    }
}
