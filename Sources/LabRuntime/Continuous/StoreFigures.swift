import Foundation
import ProfileModel
import ProfileStore

/// What a continuously written store holds and how fast it answers, measured on the store itself
/// (the soak's, or any store `lab profiles bench --store` is given): real samples, not synthetic.
public struct StoreFigures: Codable, Sendable {
    public var windows: Int
    public var rows: Int
    public var samples: Int
    public var bytes: Int64
    public var bytesPerSample: Double
    /// Samples per window start (every kind and process of one window together).
    public var samplesPerWindow: [Int]
    public var drops: Int64
    public var unreadable: Int64
    /// Median over repetitions, seconds: a trace-filtered CPU flame graph over the store's last hour,
    /// and an unfiltered one of its last 15 minutes.
    public var traceQuerySeconds: Double
    public var traceQueryTraces: Int
    public var traceQuerySamples: Int
    public var recentQuerySeconds: Double
    public var recentQuerySamples: Int
    /// Samples in the last hour the trace query searched.
    public var lastHourSamples: Int

    /// One paragraph for people.
    public var summary: String {
        String(format: "%d windows (%d rows), %d samples in %.1f MiB: %.1f bytes per sample; trace-filtered CPU flame graph of %d traces over the last hour (%d samples searched, %d matched) %.0f ms; unfiltered last 15 minutes (%d samples) %.0f ms (medians)",
               windows, rows, samples, Double(bytes) / 1_048_576, bytesPerSample, traceQueryTraces, lastHourSamples, traceQuerySamples,
               traceQuerySeconds * 1000, recentQuerySamples, recentQuerySeconds * 1000)
    }

    /// Up to `count` trace ids of the store's newest CPU windows (for a bench without exemplars).
    public static func recentTraceIDs(storePath: String, count: Int) throws -> [TraceID] {
        let store = try ProfileStore(path: storePath)
        var found: [TraceID] = []
        for run in try store.runs(filter: RunFilter(kind: .cpu)).reversed() where found.count < count {
            for id in try store.traceIDs(run: run.id) where found.count < count && !found.contains(id) { found.append(id) }
        }
        return found
    }

    public static func measure(storePath: String, traceIDs: [TraceID], repetitions: Int = 5) throws -> StoreFigures {
        let store = try ProfileStore(path: storePath)
        try store.checkpoint()
        let runs = try store.runs()
        let byWindow = Dictionary(grouping: runs, by: \.startUnixNs).sorted { $0.key < $1.key }
        let samples = runs.reduce(0) { $0 + Int($1.sampleCount) }
        let now = runs.map(\.endUnixNs).max() ?? 0
        func timed(_ query: ProfileQuery) throws -> (Double, Int) {
            var times: [Double] = []
            var count = 0
            for _ in 0..<max(1, repetitions) {
                let start = Date()
                count = try store.profile(query: query).samples.count
                times.append(Date().timeIntervalSince(start))
            }
            return (Statistics.median(times) ?? 0, count)
        }
        let lastHour = Nanoseconds.last(3_600, endingAt: now)
        let traced = try timed(ProfileQuery(runs: RunFilter(kind: .cpu, overlappingUnixNs: lastHour), traceIDs: traceIDs))
        let hourSamples = runs.filter { $0.kind == .cpu && $0.endUnixNs >= lastHour.lowerBound }.reduce(0) { $0 + Int($1.sampleCount) }
        let recent = try timed(try StoreSelection.last(900, nowUnixNs: now).query())
        return StoreFigures(
            windows: byWindow.count, rows: runs.count, samples: samples, bytes: store.sizeBytes,
            bytesPerSample: samples > 0 ? Double(store.sizeBytes) / Double(samples) : 0,
            samplesPerWindow: byWindow.map { $0.value.reduce(0) { $0 + Int($1.sampleCount) } },
            // Every row of a window carries the window's counters: each window counted once.
            drops: runs.windowLosses.dropped,
            unreadable: runs.windowLosses.unreadable,
            traceQuerySeconds: traced.0, traceQueryTraces: traceIDs.count, traceQuerySamples: traced.1,
            recentQuerySeconds: recent.0, recentQuerySamples: recent.1, lastHourSamples: hourSamples)
    }
}
