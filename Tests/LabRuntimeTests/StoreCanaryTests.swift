import Foundation
import ProfileModel
import ProfileStore
@testable import LabRuntime
import Testing

/// `lab gate --canary` over the store: which versions and spans it compares, and its clear refusals.
@Suite struct StoreCanaryTests {
    static let s: UInt64 = 1_000_000_000
    static func row(_ version: String, from: UInt64, to: UInt64, kind: ProfileKind = .cpu, service: String = "flamelab-shop") -> WindowSummary {
        WindowSummary(service: service, version: version, kind: kind, windows: 10, samples: 1000, firstStartUnixNs: from * s, lastEndUnixNs: to * s)
    }

    @Test("the version seen last is the candidate, the one before it the baseline, each its own last N seconds")
    func picksTheLastTwoVersions() throws {
        let rows = [Self.row("v1", from: 1000, to: 2000), Self.row("v2", from: 2001, to: 2600), Self.row("v0", from: 100, to: 900),
                    Self.row("v3", from: 3000, to: 4000, kind: .offcpu), Self.row("v9", from: 5000, to: 6000, service: "other")]
        let plan = try StoreCanary.plan(rows, service: "flamelab-shop", candidate: nil, baseline: nil, seconds: 300)
        #expect(plan.candidate == .init(version: "v2", fromUnixNs: 2300 * Self.s, toUnixNs: 2600 * Self.s))
        #expect(plan.baseline == .init(version: "v1", fromUnixNs: 1700 * Self.s, toUnixNs: 2000 * Self.s))
        let chosen = try StoreCanary.plan(rows, service: "flamelab-shop", candidate: "v1", baseline: "v0", seconds: 60)
        #expect(chosen.baseline.version == "v0" && chosen.candidate.version == "v1")
    }

    @Test("an empty store, a single version or an unknown version is an input error that says what is missing")
    func refusals() {
        func message(_ rows: [WindowSummary], candidate: String? = nil) -> String {
            do {
                _ = try StoreCanary.plan(rows, service: "flamelab-shop", candidate: candidate, baseline: nil, seconds: 300)
                return "no error"
            } catch { return "\(error)" }
        }
        #expect(message([]).contains("no CPU window with a version label"))
        #expect(message([Self.row("v1", from: 1, to: 2)]).contains("holds only version v1"))
        #expect(message([Self.row("v1", from: 1, to: 2), Self.row("v2", from: 3, to: 4)], candidate: "v7").contains("no CPU window of version v7"))
    }

    @Test("moments parse as ISO 8601, a browser's datetime-local value (UTC) or Unix seconds")
    func timePoints() {
        #expect(TimePointParser.unixNs("2026-12-01T21:00:00Z") == 1_796_158_800 * Self.s)
        #expect(TimePointParser.unixNs("2026-12-01T21:00") == 1_796_158_800 * Self.s)
        #expect(TimePointParser.unixNs("1796158800") == 1_796_158_800 * Self.s)
        #expect(TimePointParser.pickerValue(1_796_158_800 * Self.s) == "2026-12-01T21:00")
        #expect(TimePointParser.unixNs("yesterday") == nil)
        #expect(TimePointParser.unixNs("-5") == nil)
    }
}
