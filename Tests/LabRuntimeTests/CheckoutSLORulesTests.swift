import Foundation
import LabRuntime
import Testing

/// The Prometheus rules (lab/slo/checkout.rules.yml, run by `promtool test rules` in `make test`) are
/// the SLO of lab/slo/checkout.json at its time scale: windows, burn rates, budget and threshold.
@Suite struct CheckoutSLORulesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func number(_ value: Double) -> String { String(format: "%g", value) }

    @Test func theCommittedRulesAreTheSLOAtItsTimeScale() throws {
        let slo = try SLODefinition.load(path: Self.root + "/lab/slo/checkout.json")
        let rules = try String(contentsOfFile: Self.root + "/" + CheckoutSLORules.path, encoding: .utf8)
        #expect(slo.labTimeScale == CheckoutSLORules.timeScale)
        #expect(rules.contains("le=\"\(Self.number(slo.latencyThresholdSeconds))\""))
        for alert in slo.alerts {
            let long = CheckoutSLORules.badRatio(realSeconds: alert.longWindowSeconds)
            let short = CheckoutSLORules.badRatio(realSeconds: alert.shortWindowSeconds)
            let threshold = "(\(Self.number(alert.burnRate)) * \(Self.number(slo.errorBudget)))"
            #expect(rules.contains("- record: \(long)\n") && rules.contains("- record: \(short)\n"))
            #expect(rules.contains("\(long) > \(threshold)\n          and \(short) > \(threshold)"), "alert \(alert.burnRate)x")
            #expect(rules.contains("burn_rate: \"\(Self.number(alert.burnRate))\""))
            #expect(rules.contains("long_window: \(Int(alert.longWindowSeconds / slo.labTimeScale))s"))
        }
    }
}
