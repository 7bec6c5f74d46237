import Agent
import Foundation
import LabRuntime
import ProfileModel

/// The ground-truth peer: heaptrack's preload library records every allocation with its stack. The
/// shop runs the same checkout load twice, once under flamelab's alloc profile and once under heaptrack
/// (not both at once: flamelab's frame-pointer walk from libc's malloc cannot cross heaptrack's wrapper,
/// which keeps no frame pointer), and both are attributed the same way (`AllocationAttribution`), per checkout.
struct HeaptrackPeerRun {
    static let preloadLibrary = "/usr/lib/heaptrack/libheaptrack_preload.so"
    static let interpreter = "/usr/lib/heaptrack/libexec/heaptrack_interpret"
    /// Only allocations made by request work count, on both sides (heaptrack records from the process's
    /// start, flamelab from its attach), and the load sends checkouts only. Not `Shop.checkout` itself:
    /// heaptrack's symbolizer names its return addresses after the calling closure.
    static let scope = "RequestExecutor.run"

    /// The comparison, as results/memory/peers.json keeps it.
    struct Result: Codable {
        var flamelab: AllocationAttribution
        var heaptrack: AllocationAttribution
        /// heaptrack's requests rounded up to jemalloc's size classes: what jemalloc's profiler, which
        /// counts usable sizes, should estimate for the same work.
        var heaptrackInJemallocSizes: AllocationAttribution?
        var loadSeconds: Double
        var flamelabCheckouts: Int
        var heaptrackCheckouts: Int
        var agent: String
        /// The checkout's median CPU per request under heaptrack (its own process, not interleaved).
        var heaptrackCPUMsMedian: Double?
        /// Functions in both top-5 lists.
        var commonTop5: Int { Set(flamelab.top(5)).intersection(heaptrack.top(5)).count }
        var flamelabBytesPerCheckout: Double { flamelab.bytes(per: flamelabCheckouts) }
        var heaptrackBytesPerCheckout: Double { heaptrack.bytes(per: heaptrackCheckouts) }
        var heaptrackJemallocBytesPerCheckout: Double? { heaptrackInJemallocSizes?.bytes(per: heaptrackCheckouts) }
        /// flamelab's bytes per checkout against heaptrack's.
        var totalBytesError: Double { heaptrackBytesPerCheckout > 0 ? flamelabBytesPerCheckout / heaptrackBytesPerCheckout - 1 : .nan }
    }

    let port: UInt16
    let seconds: Double
    let rate: Double

    func run(_ context: ScenarioContext) throws -> Result {
        for path in [Self.preloadLibrary, Self.interpreter] where !FileManager.default.fileExists(atPath: path) {
            throw FlamelabError.failed("run", "heaptrack", "\(path) is missing (apt-get install heaptrack)")
        }
        let (recording, flamelabLoad) = try profileWithFlamelab(context)
        guard let alloc = recording.profile(.alloc) else {
            throw FlamelabError.failed("record", "an alloc profile of the shop", recording.stats.summary)
        }
        let (trace, heaptrackLoad) = try profileWithHeaptrack(context)
        return Result(flamelab: AllocationAttribution.of(alloc, scope: Self.scope),
                      heaptrack: AllocationAttribution.of(trace, executable: context.paths.shopExecutable, scope: Self.scope),
                      heaptrackInJemallocSizes: AllocationAttribution.of(trace, executable: context.paths.shopExecutable, scope: Self.scope,
                                                                         size: JemallocSizeClass.usable),
                      loadSeconds: seconds, flamelabCheckouts: flamelabLoad.records.count, heaptrackCheckouts: heaptrackLoad.records.count,
                      agent: recording.stats.summary,
                      heaptrackCPUMsMedian: heaptrackLoad.summaries.first { $0.route == "checkout" }?.serverCPUMsMedian)
    }

    /// The checkout load every shop of the comparison gets, sent to `port`.
    func loadOptions(port: UInt16) throws -> LoadOptions {
        LoadOptions(mode: .open(rate: rate), durationSeconds: seconds, mix: try RouteMix.parse("checkout"), port: port)
    }

    private var loadOptions: LoadOptions {
        get throws { try loadOptions(port: port) }
    }

    /// flamelab's alloc profile of a fresh shop over the checkout load (no warm-up: the shop under
    /// heaptrack gets none either).
    private func profileWithFlamelab(_ context: ScenarioContext) throws -> (AgentRecording, LoadResult) {
        var run = ProfiledRun(version: "v1", port: port)
        run.kinds = [.alloc]
        run.unwind = .fp
        run.python = .auto
        run.warmupSeconds = 0
        context.progress.update(String(format: "memory: %.0f s of checkouts under flamelab alloc (peer comparison)", seconds))
        let capture = try run.capture(load: try loadOptions, controller: context.controller)
        return (capture.recording, capture.load)
    }

    /// heaptrack's trace of a fresh shop over the same load.
    private func profileWithHeaptrack(_ context: ScenarioContext) throws -> (HeaptrackTrace, LoadResult) {
        let scratch = try PrivateFile.temporaryDirectory(prefix: "flamelab-memory-heaptrack")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let raw = scratch + "/heaptrack.raw", interpreted = scratch + "/heaptrack.txt"
        let result = try PreloadedShopLoad(options: try loadOptions)
            .run(context, environment: ["LD_PRELOAD": Self.preloadLibrary, "DUMP_HEAPTRACK_OUTPUT": raw], what: "heaptrack (every allocation recorded)")
        context.progress.update("memory: interpreting heaptrack's trace")
        let interpreter = try ChildProcess(Self.interpreter, [], output: interpreted, input: raw)
        guard interpreter.wait(seconds: 300), interpreter.exitStatus == 0 else {
            throw FlamelabError.failed("interpret", "heaptrack's trace", "heaptrack_interpret exited with \(interpreter.exitStatus ?? -1)")
        }
        let text = try String(contentsOfFile: interpreted, encoding: .utf8)
        return (try HeaptrackTrace(lines: text.split(separator: "\n", omittingEmptySubsequences: true)), result)
    }
}
