import Foundation
import Synchronization

/// RED metrics per route (requests, errors, duration histogram) with the latest request of each latency
/// bucket as its exemplar, served at /metrics as OpenMetrics (with exemplars) or Prometheus text.
public final class ShopMetrics: Sendable {
    /// Histogram upper bounds in seconds. Fine above the SLO's 100 ms: each bucket line carries one
    /// exemplar per scrape, so more buckets over the threshold give the drill more slow trace ids.
    public static let bucketBounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.125, 0.15, 0.175, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5]
    /// One finished request, as a bucket's exemplar.
    public struct RecentRequest: Sendable {
        public var route: String
        public var traceID: String
        public var status: Int
        public var latencySeconds: Double
        public var cpuSeconds: Double
        public var unixTime: Double
    }

    private struct RouteStats {
        var requests: UInt64 = 0
        var errors: UInt64 = 0
        var sum: Double = 0
        var buckets = [UInt64](repeating: 0, count: ShopMetrics.bucketBounds.count)
        var bucketExemplars = [RecentRequest?](repeating: nil, count: ShopMetrics.bucketBounds.count + 1)
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
            all[request.route] = stats
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
        if let resident = ProcessResidentMemory.bytes() {
            out += "# HELP process_resident_memory_bytes Resident memory size in bytes.\n# TYPE process_resident_memory_bytes gauge\n"
            out += "process_resident_memory_bytes \(resident)\n"
        }
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
        // OpenMetrics allows 128 characters of exemplar labels: the trace id and the request's CPU fit.
        return " # {trace_id=\"\(e.traceID)\",cpu_seconds=\"\(String(format: "%.6f", e.cpuSeconds))\"} \(e.latencySeconds) \(String(format: "%.3f", e.unixTime))"
    }
}
