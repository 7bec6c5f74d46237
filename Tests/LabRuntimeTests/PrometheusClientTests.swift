import Foundation
@testable import LabRuntime
import ProfileModel
import Testing

/// The answers of Prometheus's API, decoded: the fixtures are what Debian's Prometheus 2.42 answered
/// while scraping the shop through a fault (alerts, exemplars, an instant and a range query) and
/// with the rules loaded (rules).
@Suite struct PrometheusClientTests {
    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/prometheus/\(name).json"))
    }

    @Test func decodesTheFiringPageWithItsLabels() throws {
        let alerts = try PrometheusClient.decodeAlerts(Self.fixture("alerts"))
        #expect(alerts.count == 1)
        let alert = try #require(alerts.first)
        #expect(alert.name == CheckoutSLORules.alertName && alert.isFiring)
        #expect(alert.labels["severity"] == "page" && alert.labels["long_window"] == "360s")
        let sixTimes = SLODefinition.BurnRateAlert(severity: "page", longWindowSeconds: 21600, shortWindowSeconds: 1800, burnRate: 6)
        #expect(CheckoutSLORules.isPage(alert, of: sixTimes))
        #expect(!CheckoutSLORules.isPage(alert, of: SLODefinition.BurnRateAlert(severity: "page", longWindowSeconds: 3600, shortWindowSeconds: 300, burnRate: 14.4)))
    }

    @Test func decodesExemplarsSlowestFirstWithTheirSeriesAndCPU() throws {
        let exemplars = try PrometheusClient.decodeExemplars(Self.fixture("exemplars"))
        #expect(exemplars.count == 29)
        #expect(zip(exemplars, exemplars.dropFirst()).allSatisfy { $0.value >= $1.value })
        #expect(exemplars.allSatisfy { $0.route == "checkout" && $0.version == "v1" && ($0.cpuSeconds ?? 0) > 0 })
        #expect(exemplars.filter { $0.latencySeconds > 0.1 }.count == 4)
        #expect(exemplars.allSatisfy { $0.cpuPerWall > 0 && $0.cpuPerWall < 1.5 })
    }

    @Test func decodesTheRulesWithThePagesPromQL() throws {
        let rules = try PrometheusClient.decodeRules(Self.fixture("rules"))
        #expect(rules.filter { $0.type == "recording" }.count == 6)
        let pages = rules.filter { $0.type == "alerting" && $0.name == CheckoutSLORules.alertName }
        #expect(pages.map { $0.labels?["burn_rate"] } == ["14.4", "6"])
        #expect(pages.first?.query.contains(CheckoutSLORules.badRatio(realSeconds: 3600) + " > (14.4 * 0.01)") == true)
    }

    @Test func decodesInstantAndRangeQueries() throws {
        let vector = try PrometheusClient.decodeSamples(Self.fixture("vector"), query: "v")
        #expect(vector.count == 1 && vector[0].0["route"] == "checkout")
        #expect(abs((vector[0].1.first?.1 ?? 0) - 0.06569343065693434) < 1e-12)
        #expect(try PrometheusClient.decodeSamples(Self.fixture("vector-empty"), query: "v").isEmpty)
        let matrix = try PrometheusClient.decodeSamples(Self.fixture("matrix"), query: "m")
        #expect(matrix.first?.1.count == 5)
        #expect(matrix.first?.1.last?.0 == 1796326166)
    }

    @Test func anAnswerWithoutDataIsAnErrorNamingTheQuery() throws {
        #expect(throws: FlamelabError.self) { try PrometheusClient.decodeSamples(Self.fixture("bad-query"), query: "sum(") }
        do {
            _ = try PrometheusClient.decodeSamples(Self.fixture("bad-query"), query: "sum(")
        } catch {
            #expect("\(error)".contains("failed to decode Prometheus's answer to sum("))
        }
        #expect(throws: FlamelabError.self) { try PrometheusClient.decodeExemplars(Data("{\"status\":\"success\"}".utf8)) }
    }

    @Test func queryStringsArePercentEncoded() {
        #expect(PrometheusClient.query(["query": #"a{b="c"}+1"#, "start": "1.5"]) == "query=a%7Bb%3D%22c%22%7D%2B1&start=1.5")
    }
}
