import Histogram

/// Latency summary of one route in a load run (HdrHistogram, microsecond resolution).
public struct RouteSummary: Codable, Sendable {
    public var route: String
    public var count: Int
    public var errors: Int
    public var p50Ms: Double
    public var p90Ms: Double
    public var p99Ms: Double
    public var maxMs: Double
    public var throughputPerSecond: Double
    /// Median of the service's thread CPU / wall for this route's work (from Server-Timing), when known.
    public var cpuWallRatio: Double?
    public var serverCPUMsMedian: Double?

    /// Summarises `records` of one route over a run of `seconds`.
    public static func make(route: String, records: [RequestRecord], seconds: Double) -> RouteSummary {
        var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        for r in records { _ = histogram.record(UInt64(max(0, r.latencyMs * 1000))) }
        let ms = { (p: Double) in Double(histogram.valueAtPercentile(p)) / 1000 }
        let ratios = records.compactMap(\.serverCPUWallRatio)
        return RouteSummary(
            route: route, count: records.count, errors: records.filter(\.isError).count,
            p50Ms: ms(50), p90Ms: ms(90), p99Ms: ms(99), maxMs: Double(histogram.max) / 1000,
            throughputPerSecond: seconds > 0 ? Double(records.count) / seconds : 0,
            cpuWallRatio: Statistics.median(ratios),
            serverCPUMsMedian: Statistics.median(records.compactMap(\.serverCPUMs))
        )
    }
}
