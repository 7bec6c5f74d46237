import ProfileModel
import Foundation

/// A latency SLO and its burn-rate alerts, read from lab/slo/*.json.
public struct SLODefinition: Codable, Sendable {
    /// One multiwindow burn-rate alert: fires when both windows burn faster than `burnRate` (Prometheus
    /// evaluates it: lab/slo/checkout.rules.yml).
    public struct BurnRateAlert: Codable, Sendable {
        public var severity: String
        public var longWindowSeconds: Double
        public var shortWindowSeconds: Double
        public var burnRate: Double
    }

    public var name: String
    public var service: String
    public var route: String
    /// Share of requests that must be good (faster than the threshold).
    public var objective: Double
    public var latencyThresholdSeconds: Double
    public var windowDays: Double
    public var alerts: [BurnRateAlert]
    /// Real seconds per lab second: windows are divided by it (the rules in checkout.rules.yml are rendered at it).
    public var labTimeScale: Double

    /// The error budget: the share of requests allowed to be slow.
    public var errorBudget: Double { 1 - objective }

    public static func load(path: String) throws -> SLODefinition {
        guard let data = FileManager.default.contents(atPath: path) else { throw FlamelabError("failed to read SLO \(path): no such file") }
        let slo: SLODefinition
        do { slo = try JSONDecoder().decode(SLODefinition.self, from: data) } catch {
            throw FlamelabError("failed to parse SLO \(path): \(error)")
        }
        guard slo.objective > 0, slo.objective < 1 else { throw FlamelabError("failed to parse SLO \(path): objective must be in (0, 1)") }
        guard !slo.alerts.isEmpty, slo.labTimeScale > 0 else { throw FlamelabError("failed to parse SLO \(path): needs alerts and a positive labTimeScale") }
        return slo
    }
}
