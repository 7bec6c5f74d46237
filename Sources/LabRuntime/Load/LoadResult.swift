import Foundation

/// What a load run measured: every request, and a summary per route.
public struct LoadResult: Codable, Sendable {
    public var options: LoadOptions
    public var seconds: Double
    public var records: [RequestRecord]

    /// One summary per route, in route order.
    public var summaries: [RouteSummary] {
        let byRoute = Dictionary(grouping: records, by: \.route)
        return byRoute.keys.sorted().map { RouteSummary.make(route: $0, records: byRoute[$0]!, seconds: seconds) }
    }

    /// The latency table as a person reads it on a terminal.
    public func table() -> String {
        let header = ["route", "count", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors", "req/s", "cpu/wall"]
        let rows = summaries.map { s in
            [s.route, "\(s.count)", fixed(s.p50Ms), fixed(s.p90Ms), fixed(s.p99Ms), fixed(s.maxMs), "\(s.errors)",
             fixed(s.throughputPerSecond), s.cpuWallRatio.map { fixed($0 * 100) + "%" } ?? "-"]
        }
        return TextTable.render(header: header, rows: rows)
    }

    private func fixed(_ value: Double) -> String { String(format: "%.1f", value) }

    /// The JSON written under results/: options, per-route summary and every request record.
    public func jsonReport() -> LoadReport {
        LoadReport(options: options, seconds: seconds, summaries: summaries, records: records)
    }
}

/// The JSON form of a load run.
public struct LoadReport: Codable, Sendable {
    public var options: LoadOptions
    public var seconds: Double
    public var summaries: [RouteSummary]
    public var records: [RequestRecord]
}
