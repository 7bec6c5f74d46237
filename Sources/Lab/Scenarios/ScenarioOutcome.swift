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

    public var scenario: String
    public var headline: String
    public var checks: [Check]
    public var seconds: Double = 0

    public init(scenario: String, headline: String, checks: [Check]) {
        self.scenario = scenario
        self.headline = headline
        self.checks = checks
    }

    public var passed: Bool { checks.allSatisfy(\.passed) }
}
