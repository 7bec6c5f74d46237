@testable import LabRuntime
import Testing

/// The Prometheus text the shop serves, read by value and by numeric bucket bound.
@Suite struct MetricsTextTests {
    static let text = """
        # HELP flamelab_http_request_duration_seconds Request latency.
        # TYPE flamelab_http_request_duration_seconds histogram
        flamelab_http_request_duration_seconds_bucket{route="checkout",version="v1",le="0.05"} 90 # {trace_id="4bf92f3577b34da6a3ce929d0e0e4736"} 0.041 1700000000.000
        flamelab_http_request_duration_seconds_bucket{route="checkout",version="v1",le="0.10"} 97
        flamelab_http_request_duration_seconds_bucket{route="checkout",version="v1",le="+Inf"} 100
        flamelab_http_request_duration_seconds_count{route="checkout",version="v1"} 100
        flamelab_http_request_duration_seconds_count{route="price",version="v1"} 7
        flamelab_http_requests_total{route="a \\"quoted\\" route",version="v1"} 3
        """

    @Test func valuesByNameAndLabels() {
        let metrics = MetricsText(Self.text)
        #expect(metrics.value("flamelab_http_request_duration_seconds_count", ["route": "checkout"]) == 100)
        #expect(metrics.value("flamelab_http_request_duration_seconds_count", ["route": "price"]) == 7)
        #expect(metrics.value("flamelab_http_requests_total", ["route": "a \"quoted\" route"]) == 3)
        #expect(metrics.value("missing") == nil)
    }

    @Test("bucket bounds compare as numbers: 0.1 finds le=\"0.10\", and +Inf parses")
    func bucketsByNumber() {
        let metrics = MetricsText(Self.text)
        #expect(metrics.bucket("flamelab_http_request_duration_seconds", le: 0.1, ["route": "checkout"]) == 97)
        #expect(metrics.bucket("flamelab_http_request_duration_seconds", le: .infinity, ["route": "checkout"]) == 100)
        #expect(metrics.bucket("flamelab_http_request_duration_seconds", le: 0.2, ["route": "checkout"]) == nil)
    }

    @Test("the monitor's point: good = the threshold bucket, all = the count; no request yet burns nothing")
    func monitorPoint() {
        let point = BurnRateMonitor.point(from: MetricsText(Self.text), slo: AlertEvaluatorTests.slo, at: 3)
        #expect(point.total == 100 && point.good == 97 && point.seconds == 3)
        let empty = BurnRateMonitor.point(from: MetricsText(""), slo: AlertEvaluatorTests.slo, at: 0)
        #expect(empty.total == 0 && empty.good == 0)
    }

    @Test("malformed lines are skipped, not fatal")
    func malformed() {
        let metrics = MetricsText("no_value\nbroken{route=\"x} 1\nok 2\n")
        #expect(metrics.samples.map(\.name) == ["ok"])
    }
}
