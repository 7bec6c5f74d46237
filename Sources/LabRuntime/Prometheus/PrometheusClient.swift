import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ProfileModel

/// Prometheus's HTTP API (https://prometheus.io/docs/prometheus/latest/querying/api/) as the lab uses it:
/// the alerts its rules fire, the exemplars it stored from the shop's histogram, and range queries.
/// Requests go through Foundation's URLSession (`BlockingHTTP`: Prometheus answers large bodies chunked).
public final class PrometheusClient: Sendable {
    /// One alert of `GET /api/v1/alerts`.
    public struct Alert: Decodable, Sendable, Equatable {
        public var labels: [String: String]
        public var annotations: [String: String]?
        /// `pending` or `firing`.
        public var state: String
        public var activeAt: String?
        public var value: String?

        public var name: String { labels["alertname"] ?? "?" }
        public var isFiring: Bool { state == "firing" }
    }

    /// One rule of `GET /api/v1/rules`: its name, PromQL and labels.
    public struct Rule: Decodable, Sendable, Equatable {
        public var name: String
        public var query: String
        /// `alerting` or `recording`.
        public var type: String
        public var labels: [String: String]?
    }

    /// One exemplar of `GET /api/v1/query_exemplars`, with the labels of the series it was stored on.
    public struct Exemplar: Sendable, Equatable {
        public var traceID: TraceID
        /// The observed value (for the latency histogram: the request's seconds).
        public var value: Double
        public var unixTime: Double
        public var seriesLabels: [String: String]
        /// The request's CPU seconds, when the exemplar carries them (the shop's `cpu_seconds` label).
        public var cpuSeconds: Double?

        public init(traceID: TraceID, value: Double, unixTime: Double, seriesLabels: [String: String], cpuSeconds: Double?) {
            self.traceID = traceID
            self.value = value
            self.unixTime = unixTime
            self.seriesLabels = seriesLabels
            self.cpuSeconds = cpuSeconds
        }

        public var latencySeconds: Double { value }
        public var route: String? { seriesLabels["route"] }
        public var version: String? { seriesLabels["version"] }
        /// CPU time over latency (0 when unknown).
        public var cpuPerWall: Double { value > 0 ? (cpuSeconds ?? 0) / value : 0 }
    }

    public let baseURL: String
    private let timeoutSeconds: Double

    /// A client of the server at `baseURL` (e.g. http://127.0.0.1:9090).
    public init(baseURL: String, timeoutSeconds: Double = 10) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.timeoutSeconds = timeoutSeconds
    }

    public convenience init(port: UInt16, timeoutSeconds: Double = 10) {
        self.init(baseURL: "http://127.0.0.1:\(port)", timeoutSeconds: timeoutSeconds)
    }

    /// Whether the server answers `/-/ready` with 200.
    public func isReady() -> Bool {
        (try? fetch("/-/ready", what: "readiness")) != nil
    }

    /// Every pending and firing alert.
    public func alerts() throws -> [Alert] {
        try Self.decodeAlerts(fetch("/api/v1/alerts", what: "the alerts"))
    }

    /// Every rule Prometheus evaluates, recording and alerting, in file order.
    public func rules() throws -> [Rule] {
        try Self.decodeRules(fetch("/api/v1/rules", what: "the rules"))
    }

    /// The value of `expr` now, when it yields one sample (nil for no data, as during warm-up).
    public func value(_ expr: String) throws -> Double? {
        let answer = try Self.decodeSamples(fetch("/api/v1/query?" + Self.query(["query": expr]), what: "the query \(expr)"), query: expr)
        return answer.first?.1.first?.1
    }

    /// The exemplars of the series `query` selects between `start` and `end` (Unix seconds) that carry a
    /// `trace_id` label, slowest first.
    public func exemplars(query: String, start: Double, end: Double) throws -> [Exemplar] {
        let path = "/api/v1/query_exemplars?" + Self.query(["query": query, "start": Self.time(start), "end": Self.time(end)])
        return try Self.decodeExemplars(fetch(path, what: "the exemplars"))
    }

    /// `expr` evaluated every `step` seconds from `start` to `end`: (Unix seconds, value) of the first series.
    public func queryRange(_ expr: String, start: Double, end: Double, step: Double) throws -> [(Double, Double)] {
        let path = "/api/v1/query_range?" + Self.query(["query": expr, "start": Self.time(start), "end": Self.time(end), "step": Self.time(step)])
        return try Self.decodeSamples(fetch(path, what: "a range query"), query: expr).first?.1 ?? []
    }

    /// The `data.alerts` of an alerts answer.
    static func decodeAlerts(_ body: Data) throws -> [Alert] {
        struct Answer: Decodable { struct Data: Decodable { var alerts: [Alert] }; var data: Data }
        return try decode(Answer.self, body, what: "the alerts").data.alerts
    }

    /// The rules of a rules answer, group after group.
    static func decodeRules(_ body: Data) throws -> [Rule] {
        struct Answer: Decodable {
            struct Group: Decodable { var rules: [Rule] }
            struct Groups: Decodable { var groups: [Group] }
            var data: Groups
        }
        return try decode(Answer.self, body, what: "the rules").data.groups.flatMap(\.rules)
    }

    /// The trace-id exemplars of a `query_exemplars` answer, slowest first.
    static func decodeExemplars(_ body: Data) throws -> [Exemplar] {
        struct Series: Decodable {
            struct Point: Decodable { var labels: [String: String]; var value: String; var timestamp: Double }
            var seriesLabels: [String: String]
            var exemplars: [Point]
        }
        struct Answer: Decodable { var data: [Series] }
        let exemplars = try decode(Answer.self, body, what: "the exemplars").data.flatMap { series in
            series.exemplars.compactMap { point -> Exemplar? in
                guard let id = point.labels["trace_id"].flatMap({ TraceID(hex: $0) }), let value = Double(point.value) else { return nil }
                return Exemplar(traceID: id, value: value, unixTime: point.timestamp, seriesLabels: series.seriesLabels,
                                cpuSeconds: point.labels["cpu_seconds"].flatMap(Double.init))
            }
        }
        return exemplars.sorted { $0.value > $1.value }
    }

    /// The series of an instant (`vector`) or range (`matrix`) answer: labels and (Unix seconds, value)s.
    static func decodeSamples(_ body: Data, query: String) throws -> [([String: String], [(Double, Double)])] {
        guard let root = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
              let data = root["data"] as? [String: Any], let result = data["result"] as? [[String: Any]] else {
            throw FlamelabError("failed to decode Prometheus's answer to \(query): no data.result")
        }
        func point(_ pair: Any) -> (Double, Double)? {
            guard let pair = pair as? [Any], pair.count == 2, let t = (pair[0] as? NSNumber)?.doubleValue,
                  let v = (pair[1] as? String).flatMap(Double.init) else { return nil }
            return (t, v)
        }
        return result.map { series in
            let labels = series["metric"] as? [String: String] ?? [:]
            if let values = series["values"] as? [Any] { return (labels, values.compactMap(point)) }
            return (labels, (series["value"]).flatMap(point).map { [$0] } ?? [])
        }
    }

    private func fetch(_ path: String, what: String) throws -> Data {
        guard let url = URL(string: baseURL + path) else { throw FlamelabError("failed to read \(what) from Prometheus: bad URL \(path)") }
        var request = URLRequest(url: url)
        request.timeoutInterval = timeoutSeconds
        let answer: BlockingHTTP.Answer
        do { answer = try BlockingHTTP.send(request) } catch {
            throw FlamelabError("failed to read \(what) from Prometheus at \(baseURL): \(error.localizedDescription)")
        }
        guard answer.status == 200 else {
            throw FlamelabError("failed to read \(what) from Prometheus at \(baseURL): HTTP \(answer.status) \(String(decoding: answer.body.prefix(200), as: UTF8.self))")
        }
        return answer.body
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ data: Data, what: String) throws -> T {
        do { return try JSONDecoder().decode(type, from: data) } catch {
            throw FlamelabError("failed to decode Prometheus's answer for \(what): \(error)")
        }
    }

    static func time(_ seconds: Double) -> String { String(format: "%.3f", seconds) }

    /// A query string, percent-encoded (PromQL is full of `{}`, `"`, `=` and `+`).
    static func query(_ parameters: KeyValuePairs<String, String>) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return parameters.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.value)" }.joined(separator: "&")
    }
}
