import LabRuntime
/// Latency percentiles per time bucket of a load run, for latency-over-time charts.
public enum LatencySeries {
    /// (bucket start s, p-th percentile ms) for buckets of `bucketSeconds`.
    public static func percentile(_ p: Double, of records: [RequestRecord], bucketSeconds: Double) -> [(x: Double, y: Double)] {
        let buckets = Dictionary(grouping: records.filter { !$0.isError }) { Int($0.startOffsetSeconds / bucketSeconds) }
        return buckets.keys.sorted().compactMap { key in
            Statistics.quantile(buckets[key]!.map(\.latencyMs), p).map { (Double(key) * bucketSeconds, $0) }
        }
    }
}
