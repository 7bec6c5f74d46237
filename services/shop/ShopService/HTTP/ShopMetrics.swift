import Foundation
import Synchronization

/// RED metrics per route (requests, errors, duration histogram) and the trace ids of the slowest recent
/// requests, served at /metrics as OpenMetrics (with exemplars) or Prometheus text.
public final class ShopMetrics: Sendable {
    /// Histogram upper bounds in seconds.
    public static let bucketBounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2.5, 5]
    /// How many recent requests per route are kept for exemplar queries.
    static let recentCapacity = 4096

    /// One finished request as the exemplar store keeps it.
    public struct RecentRequest: Sendable, Codable {
        public var route: String
        public var traceID: String
        public var status: Int
        public var latencySeconds: Double
        public var cpuSeconds: Double
        public var unixTime: Double
        /// The service version that served it (filled by `slowest`: one process serves one version).
        public var version: String?

        enum CodingKeys: String, CodingKey {
            case route, status, version
            case traceID = "trace_id"
            case latencySeconds = "latency_seconds"
            case cpuSeconds = "cpu_seconds"
            case unixTime = "unix_time"
        }
    }

    private struct RouteStats {
        var requests: UInt64 = 0
        var errors: UInt64 = 0
        var sum: Double = 0
        var buckets = [UInt64](repeating: 0, count: ShopMetrics.bucketBounds.count)
        var bucketExemplars = [RecentRequest?](repeating: nil, count: ShopMetrics.bucketBounds.count + 1)
        var recent: [RecentRequest] = []
        var recentNext = 0
    }

    private let version: String
    private let routes = Mutex<[String: RouteStats]>([:])

    public init(version: String) {
        self.version = version
    }

    public func record(_ request: RecentRequest) {
        routes.withLock { all in
            var stats = all[request.route, default: RouteStats()]
            stats.requests += 1
            if request.status >= 500 { stats.errors += 1 }
            stats.sum += request.latencySeconds
            let bucket = Self.bucketBounds.firstIndex { request.latencySeconds <= $0 } ?? Self.bucketBounds.count
            for i in bucket..<Self.bucketBounds.count { stats.buckets[i] += 1 }
            stats.bucketExemplars[bucket] = request
            if stats.recent.count < Self.recentCapacity {
                stats.recent.append(request)
            } else {
                stats.recent[stats.recentNext] = request
            }
            stats.recentNext = (stats.recentNext + 1) % Self.recentCapacity
            all[request.route] = stats
        }
    }

    /// The slowest requests of `route` that finished in the last `windowSeconds`, slowest first.
    public func slowest(route: String, windowSeconds: Double, limit: Int) -> [RecentRequest] {
        let cutoff = Date().timeIntervalSince1970 - windowSeconds
        let recent = routes.withLock { $0[route]?.recent ?? [] }
        let slowest = recent.filter { $0.unixTime >= cutoff }.sorted { $0.latencySeconds > $1.latencySeconds }.prefix(limit)
        return slowest.map { request in
            var labelled = request
            labelled.version = version
            return labelled
        }
    }

    /// The exposition at /metrics: OpenMetrics 1.0 with trace-id exemplars on the latency buckets (what
    /// Prometheus asks for, and stores with `--enable-feature=exemplar-storage`), or, for plain clients,
    /// the Prometheus text format 0.0.4, which has no exemplars.
    public func exposition(openMetrics: Bool) -> String {
        let snapshot = routes.withLock { $0 }
        let names = snapshot.keys.sorted()
        // OpenMetrics names a counter family without `_total`; its samples keep the suffix.
        let counterFamily = openMetrics ? "flamelab_http_requests" : "flamelab_http_requests_total"
        let errorFamily = openMetrics ? "flamelab_http_errors" : "flamelab_http_errors_total"
        var out = "# HELP \(counterFamily) Requests served, by route and version.\n# TYPE \(counterFamily) counter\n"
        for route in names { out += "flamelab_http_requests_total{\(labels(route))} \(snapshot[route]!.requests)\n" }
        out += "# HELP \(errorFamily) Requests answered with a 5xx status.\n# TYPE \(errorFamily) counter\n"
        for route in names { out += "flamelab_http_errors_total{\(labels(route))} \(snapshot[route]!.errors)\n" }
        out += "# HELP flamelab_http_request_duration_seconds Request latency.\n# TYPE flamelab_http_request_duration_seconds histogram\n"
        for route in names { out += histogramLines(route: route, stats: snapshot[route]!, exemplars: openMetrics) }
        return openMetrics ? out + "# EOF\n" : out
    }

    private func labels(_ route: String) -> String { "route=\"\(route)\",version=\"\(version)\"" }

    private func histogramLines(route: String, stats: RouteStats, exemplars: Bool) -> String {
        let labels = labels(route)
        var out = ""
        for (i, bound) in Self.bucketBounds.enumerated() {
            out += "flamelab_http_request_duration_seconds_bucket{\(labels),le=\"\(bound)\"} \(stats.buckets[i])"
            out += (exemplars ? exemplarSuffix(stats.bucketExemplars[i]) : "") + "\n"
        }
        out += "flamelab_http_request_duration_seconds_bucket{\(labels),le=\"+Inf\"} \(stats.requests)"
        out += (exemplars ? exemplarSuffix(stats.bucketExemplars[Self.bucketBounds.count]) : "") + "\n"
        out += "flamelab_http_request_duration_seconds_sum{\(labels)} \(stats.sum)\n"
        out += "flamelab_http_request_duration_seconds_count{\(labels)} \(stats.requests)\n"
        return out
    }

    private func exemplarSuffix(_ exemplar: RecentRequest?) -> String {
        guard let e = exemplar else { return "" }
        return " # {trace_id=\"\(e.traceID)\"} \(e.latencySeconds) \(String(format: "%.3f", e.unixTime))"
    }
}
