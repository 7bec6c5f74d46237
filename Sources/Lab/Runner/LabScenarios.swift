import LabRuntime
/// Every scenario, in the order `lab run all` runs them.
public enum LabScenarios {
    public static let all: [any Scenario] = [
        ServiceScenario(),
        OverheadScenario(),
        CPUVersusOffCPUScenario(),
        MemoryScenario(),
        DrillScenario(),
        RegressionScenario(),
        GateScenario(),
        PolyglotScenario(),
        BlindspotScenario(),
        ContinuousScenario(),
    ]
}
