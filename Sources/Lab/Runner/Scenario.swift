import LabRuntime
/// One `lab run <name>` scenario: it measures, writes results/<name>/ and returns its conclusion.
public protocol Scenario: Sendable {
    /// The name on the command line and the folder under results/.
    var name: String { get }
    /// One line for `lab run --help` and the index.
    var summary: String { get }
    func run(_ context: ScenarioContext) throws -> ScenarioOutcome
}
