import Lab
import Testing

/// The service scenario's pairing of v1 and v2 repetitions.
@Suite struct VersionComparisonTests {
    @Test func versionComparisonPairsRepetitions() {
        let reps: [VersionComparison.Repetition] = [
            .init(version: "v1", index: 0, requests: 100, errors: 0, processCPUMsPerRequest: 10, workCPUMsMedian: 8, p50Ms: 50, p99Ms: 60),
            .init(version: "v2", index: 0, requests: 100, errors: 0, processCPUMsPerRequest: 11.5, workCPUMsMedian: 9.2, p50Ms: 51, p99Ms: 61),
            .init(version: "v1", index: 1, requests: 100, errors: 0, processCPUMsPerRequest: 10, workCPUMsMedian: 8, p50Ms: 53, p99Ms: 60),
            .init(version: "v2", index: 1, requests: 100, errors: 0, processCPUMsPerRequest: 11.5, workCPUMsMedian: 9.2, p50Ms: 52, p99Ms: 61),
        ]
        let result = VersionComparison().summarize(reps)
        #expect(abs(result.cpuGrowthMedian - 0.15) < 1e-9)
        #expect(result.p50SpreadMs == 3)
        #expect(result.p50WithinSpread)
    }
}
