import Foundation
import Testing
@testable import ProfileModel

/// Timings for a million-sample profile, printed rather than asserted (benchmarks belong to the
/// lab, not to timed unit tests). Runs only with FLAMELAB_PERF=1, best in release:
/// `FLAMELAB_PERF=1 swift test -c release -Xswiftc -enable-testing --filter CodecPerformance`.
@Suite struct CodecPerformanceTests {
    static var enabled: Bool { ProcessInfo.processInfo.environment["FLAMELAB_PERF"] == "1" }

    static func millionSamples() -> Profile {
        var rng = SeededGenerator(seed: 7)
        var p = Profile(metadata: ProfileMetadata(kind: .cpu, hz: 99, unwindMode: .fp))
        let frames = (0..<500).map { Frame(name: "Shop.Module\($0 % 7).function\($0)(Swift.Int) -> Swift.Int", module: "flamelab-shop", kind: .app) }
        let stackIDs = (0..<2000).map { _ in
            p.intern(stack: (0..<30).map { _ in p.intern(frames[Int.random(in: 0..<frames.count, using: &rng)]) })
        }
        let traces = (0..<1000).map { i in TraceID(high: 0, low: UInt64(i) + 1)! }
        for i in 0..<1_000_000 {
            p.add(stackID: stackIDs[Int.random(in: 0..<stackIDs.count, using: &rng)], value: 1,
                  labels: SampleLabels(traceID: traces[i % traces.count], spanID: SpanID(hex: "00f067aa0ba902b7"), tid: Int32(i % 8),
                                       timestampNs: UInt64(i) * 10_000_000))
        }
        return p
    }

    static func time<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
        // Thread CPU time beside wall time: the machine is shared, so wall time alone is noisy.
        func cpuNow() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
            return Double(t.tv_sec) * 1e3 + Double(t.tv_nsec) / 1e6
        }
        let start = DispatchTime.now().uptimeNanoseconds
        let cpuStart = cpuNow()
        let result = try body()
        let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        print("perf: \(label): \(String(format: "%.0f", ms)) ms wall, \(String(format: "%.0f", cpuNow() - cpuStart)) ms CPU")
        return result
    }

    @Test(.enabled(if: enabled, "set FLAMELAB_PERF=1 to time million-sample codecs"))
    func millionSampleCodecs() throws {
        let p = Self.time("build 1M-sample profile") { Self.millionSamples() }
        let raw = Self.time("pprof encode (raw)") { PprofCodec.encodeUncompressed(p) }
        let gz = try Self.time("gzip compress (level 1)") { try Gzip.compress(raw, level: 1) }
        print("perf: pprof raw size: \(raw.count) bytes")
        _ = try Self.time("gzip decompress") { try Gzip.decompress(gz) }
        _ = try Self.time("pprof decode (raw)") { try PprofCodec.decode(raw) }
        print("perf: pprof size: \(gz.count) bytes gzipped")
        let back = try Self.time("pprof decode") { try PprofCodec.decode(gz) }
        #expect(back.samples.count == p.samples.count)
        let folded = Self.time("folded encode") { FoldedCodec.encode(p) }
        _ = try Self.time("folded decode") { try FoldedCodec.decode(folded) }
        let json = Self.time("speedscope encode") { SpeedscopeCodec.encode(p) }
        print("perf: speedscope size: \(json.utf8.count) bytes")
        if ProcessInfo.processInfo.environment["FLAMELAB_PERF_SKIP_JSON"] != "1" {
            _ = try Self.time("speedscope decode") { try SpeedscopeCodec.decode(json) }
        }
        _ = Self.time("function stats") { FunctionStats(profile: p) }
        _ = Self.time("diff tree") { DiffTree(base: p, candidate: back) }
        _ = try Self.time("gate") { try GateRule().evaluate(baseline: p, candidate: back) }
        _ = Self.time("trace filter") { ProfileFilter(traceIDs: [TraceID(high: 0, low: 2)!]).apply(to: p) }
    }
}
