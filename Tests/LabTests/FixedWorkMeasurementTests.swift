@testable import Lab
import LabRuntime
import Testing

/// The fixed-work estimates from units of known CPU (no processes): overhead, per-sample cost, the
/// floor's subtraction and the A/A control.
@Suite struct FixedWorkMeasurementTests {
    static let floor = OverheadConfiguration.floor(9999)
    static let fp = OverheadConfiguration.flamelab(9999, .fp)

    /// Blocks whose controls take 1.00 and 1.02 s (the A/A: ±2%), the floor 10% more and fp 12% more
    /// than their mean, with a small drift per block.
    static func trials(blocks: Int) -> [FixedWorkMeasurement.Trial] {
        (0..<blocks).flatMap { block -> [FixedWorkMeasurement.Trial] in
            let drift = 1 + Double(block % 3) * 0.001
            let base = 1.01e9 * drift
            let units = [("control A", 1.00e9 * drift), ("control B", 1.02e9 * drift), (floor.label, base * 1.10), (fp.label, base * 1.12)]
            return units.enumerated().map { position, unit in
                FixedWorkMeasurement.Trial(block: block, position: position, configuration: unit.0, cpuNs: UInt64(unit.1), unitCPUNs: [UInt64(unit.1)], wallSeconds: 1,
                                           profilerCPUNs: nil, profilerResidentBytes: nil, agentStats: nil)
            }
        }
    }

    @Test func overheadAndPerSampleCostFollowFromTheUnits() throws {
        let measurement = FixedWorkMeasurement(paths: LabPaths(), blocks: 6, seed: 1)
        let results = measurement.summarize(Self.trials(blocks: 6), workload: .sqlite, configurations: [Self.floor, Self.fp], pid: 1)
        #expect(results.map(\.configuration) == [.control, Self.floor, Self.fp])
        let control = try #require(results[0].overhead)
        #expect(abs(control.median - (1.00 / 1.02 - 1)) < 1e-6)
        let fp = try #require(results[2].overhead)
        #expect(abs(fp.median - 0.12) < 1e-6)
        #expect(fp.low <= fp.median && fp.median <= fp.high)
        // One sample costs r / (hz (1 + r)): 0.12 / (9999 x 1.12) s.
        let cost = try #require(results[2].costPerSampleUs)
        #expect(abs(cost.median - 0.12 / (9999 * 1.12) * 1e6) < 1e-3)
        let above = try #require(results[2].aboveFloorUs)
        #expect(abs(above.median - (0.12 / 1.12 - 0.10 / 1.10) / 9999 * 1e6) < 1e-3)
        #expect(results[1].aboveFloorUs == nil)
    }

    @Test func aMissingUnitDropsItsBlockOnly() {
        let trials = Self.trials(blocks: 4).filter { !($0.block == 2 && $0.configuration == "control B") }
        let results = FixedWorkMeasurement(paths: LabPaths(), blocks: 4, seed: 1)
            .summarize(trials, workload: .sqlite, configurations: [Self.floor, Self.fp], pid: 1)
        #expect(results[0].blocks == 3)
        #expect(results[2].blocks == 3)
    }
}
