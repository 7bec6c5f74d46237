@testable import LabRuntime
import Testing

/// The one alert rule: the SRE workbook's multiwindow burn-rate alert with the warm-up guard.
@Suite struct AlertEvaluatorTests {
    /// 99% objective; page at 14.4 over a 1 h and a 5 min window, scaled 60:1 (60 s and 5 s).
    static let slo = SLODefinition(
        name: "checkout-latency", service: "shop", route: "checkout", objective: 0.99, latencyThresholdSeconds: 0.1, windowDays: 30,
        alerts: [.init(severity: "page", longWindowSeconds: 3600, shortWindowSeconds: 300, burnRate: 14.4)],
        labTimeScale: 60, quickLabTimeScale: 120)

    /// One scrape per second for `seconds` s at `rate` requests/s, `bad(t)` of them slow at second t.
    static func history(seconds: Int, rate: Double, bad: (Int) -> Double) -> BurnRateHistory {
        var total = 0.0, good = 0.0
        var points = [BurnRateMonitor.Point(seconds: 0, total: 0, good: 0)]
        for t in 1...seconds {
            total += rate
            good += rate * (1 - bad(t))
            points.append(.init(seconds: Double(t), total: total, good: good))
        }
        return BurnRateHistory(points: points, slo: slo, timeScale: slo.labTimeScale)
    }

    @Test("a fault that makes 40% of checkouts slow pages once both windows burn")
    func fires() throws {
        // Steady 0.1% slow for 30 s, then 40%: the short window burns at 40 at once; the long one
        // (60 s) passes 14.4 once 20 s of the 50 are slow (16%).
        let history = Self.history(seconds: 50, rate: 25) { $0 <= 30 ? 0.001 : 0.4 }
        let firing = try #require(AlertEvaluator(slo: Self.slo).firing(history))
        #expect(firing.alert.severity == "page")
        #expect(firing.shortBurnRate > 14.4 && firing.longBurnRate > 14.4)
    }

    @Test("a steady 1% of slow checkouts burns at rate 1 and does not page")
    func doesNotFire() {
        let history = Self.history(seconds: 90, rate: 25) { _ in 0.01 }
        let evaluator = AlertEvaluator(slo: Self.slo)
        #expect(evaluator.firing(history) == nil)
        let window = evaluator.windows(history)[0]
        #expect(abs(window.longBurnRate - 1) < 0.01 && abs(window.shortBurnRate - 1) < 0.01)
    }

    @Test("a short burst in the short window alone does not page: the long window must burn too")
    func shortBurstAlone() {
        let history = Self.history(seconds: 90, rate: 25) { $0 >= 86 ? 0.5 : 0 }
        let window = AlertEvaluator(slo: Self.slo).windows(history)[0]
        #expect(window.shortBurnRate > 14.4)
        #expect(window.longBurnRate < 14.4)
        #expect(!window.firing)
    }

    @Test("warm-up: the first slow requests after start are no evidence, however high they burn")
    func warmUpGuard() {
        // Two seconds of one request each, both slow: a 100% error ratio over 2 requests.
        let history = Self.history(seconds: 2, rate: 1) { _ in 1 }
        let window = AlertEvaluator(slo: Self.slo).windows(history)[0]
        #expect(window.longBurnRate > 14.4 && window.shortBurnRate > 14.4)
        #expect(window.longWindowRequests < AlertEvaluator.warmUpRequests)
        #expect(AlertEvaluator(slo: Self.slo).firing(history) == nil)
    }

    @Test("the rule itself")
    func rule() {
        let alert = Self.slo.alerts[0]
        #expect(alert.fires(longBurnRate: 15, shortBurnRate: 15))
        #expect(!alert.fires(longBurnRate: 15, shortBurnRate: 14))
        #expect(!alert.fires(longBurnRate: 14.4, shortBurnRate: 20))
    }
}
