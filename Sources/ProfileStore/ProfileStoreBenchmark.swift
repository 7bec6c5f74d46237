import Foundation
import ProfileModel

/// Measures the store at realistic scale: size per million samples, write throughput, and the
/// time to read a trace-filtered profile out of a large run. Called by `lab bench store`; unit
/// tests run it only at small scale and check its answers, never its timings.
public enum ProfileStoreBenchmark {
    /// What one benchmark run measured.
    public struct Result: Sendable, Codable {
        public var samples: Int
        public var distinctStacks: Int
        public var tracedSamples: Int
        /// Database size after a checkpoint, and the same per million samples.
        public var fileBytes: Int64
        public var bytesPerMillionSamples: Double
        /// Wall and process CPU time of the write. The machine is shared, so CPU time is the
        /// steadier figure; both are reported.
        public var writeSeconds: Double
        public var writeCPUSeconds: Double
        public var samplesPerSecond: Double
        public var samplesPerCPUSecond: Double
        /// Trace ids asked for in the trace query, and the samples it returned.
        public var queriedTraceIDs: Int
        public var traceQuerySamples: Int
        /// Trace-filtered query wall and CPU times over `repetitions` runs, seconds (each sorted).
        public var traceQuerySeconds: [Double]
        public var traceQueryCPUSeconds: [Double]
        /// Wall and CPU time to read the whole run back as one profile, seconds.
        public var fullRunQuerySeconds: Double
        public var fullRunQueryCPUSeconds: Double

        public var traceQueryMedianSeconds: Double { traceQuerySeconds[traceQuerySeconds.count / 2] }
        public var traceQueryMedianCPUSeconds: Double { traceQueryCPUSeconds[traceQueryCPUSeconds.count / 2] }

        /// One line per figure, for the lab's report.
        public var summary: String {
            let mb = Double(fileBytes) / 1_048_576
            return """
                samples: \(samples) (\(distinctStacks) distinct stacks, \(tracedSamples) with a trace id)
                size: \(String(format: "%.1f", mb)) MiB, \(String(format: "%.1f", bytesPerMillionSamples / 1_048_576)) MiB per million samples (\(String(format: "%.1f", bytesPerMillionSamples / 1_000_000)) bytes/sample)
                write (one transaction): \(String(format: "%.2f", writeSeconds)) s wall = \(Int(samplesPerSecond)) samples/s; \(String(format: "%.2f", writeCPUSeconds)) s CPU = \(Int(samplesPerCPUSecond)) samples per CPU-second
                trace query (\(queriedTraceIDs) trace ids, \(traceQuerySamples) samples), \(traceQuerySeconds.count) runs: wall median \(ms(traceQueryMedianSeconds)) ms (min \(ms(traceQuerySeconds.first ?? 0)), max \(ms(traceQuerySeconds.last ?? 0))); CPU median \(ms(traceQueryMedianCPUSeconds)) ms
                whole-run read: \(String(format: "%.2f", fullRunQuerySeconds)) s wall, \(String(format: "%.2f", fullRunQueryCPUSeconds)) s CPU
                """
        }

        private func ms(_ seconds: Double) -> String { String(format: "%.2f", seconds * 1000) }
    }

    /// Writes a synthetic run of `samples` samples into a fresh store in `directory`, then queries it.
    /// The store file is removed afterwards.
    public static func run(samples: Int = 1_000_000, directory: String, traceIDCount: Int = 20,
                           repetitions: Int = 5) throws -> Result {
        let profile = SyntheticProfile(sampleCount: samples).make()
        let path = (directory as NSString).appendingPathComponent("bench-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).sqlite")
        defer { removeStore(path) }
        let store = try ProfileStore(path: path)

        let (run, writeTime) = try measure { try store.write(profile, command: "bench") }
        try store.checkpoint()

        let traceIDs = try pickTraceIDs(store.traceIDs(run: run), count: traceIDCount)
        var traceTimes = [Time]()
        var traceSamples = 0
        for _ in 0..<max(1, repetitions) {
            let (profile, time) = try measure { try store.profile(query: .runs([run], traceIDs: traceIDs)) }
            traceSamples = profile.samples.count
            traceTimes.append(time)
        }
        let fullTime = try measure { try store.profile(query: .runs([run])) }.1

        let bytes = StoreFile.size(path) + StoreFile.size(path + "-wal")
        return Result(
            samples: samples, distinctStacks: profile.stacks.count,
            tracedSamples: profile.samples.filter { $0.labels.traceID != nil }.count,
            fileBytes: bytes, bytesPerMillionSamples: Double(bytes) / Double(max(samples, 1)) * 1_000_000,
            writeSeconds: writeTime.wall, writeCPUSeconds: writeTime.cpu,
            samplesPerSecond: Double(samples) / max(writeTime.wall, 1e-9),
            samplesPerCPUSecond: Double(samples) / max(writeTime.cpu, 1e-9),
            queriedTraceIDs: traceIDs.count, traceQuerySamples: traceSamples,
            traceQuerySeconds: traceTimes.map(\.wall).sorted(), traceQueryCPUSeconds: traceTimes.map(\.cpu).sorted(),
            fullRunQuerySeconds: fullTime.wall, fullRunQueryCPUSeconds: fullTime.cpu)
    }

    /// Trace ids spread evenly over the sorted list, so the pick does not favour one time range.
    private static func pickTraceIDs(_ all: [TraceID], count: Int) -> [TraceID] {
        guard all.count > count else { return all }
        return (0..<count).map { all[$0 * all.count / count] }
    }

    private struct Time {
        var wall: Double
        var cpu: Double
    }

    /// Wall time and this process's CPU time (all threads: GRDB works on its own queue) of `body`.
    private static func measure<T>(_ body: () throws -> T) throws -> (T, Time) {
        let wallStart = ContinuousClock.now
        let cpuStart = processCPUSeconds()
        let value = try body()
        let cpu = processCPUSeconds() - cpuStart
        let d = ContinuousClock.now - wallStart
        return (value, Time(wall: Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18, cpu: cpu))
    }

    private static func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private static func removeStore(_ path: String) {
        for file in [path, path + "-wal", path + "-shm"] {
            try? FileManager.default.removeItem(atPath: file)
        }
    }
}
