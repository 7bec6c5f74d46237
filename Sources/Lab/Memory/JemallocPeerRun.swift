import Foundation
import LabRuntime
import ProfileModel

/// The sampling peer: jemalloc's own heap profiler, Go-style Poisson byte sampling at the same mean
/// rate as flamelab's, in the allocator itself (no trap). The shop runs with Debian's libjemalloc2
/// preloaded in place of glibc's malloc, under the checkout load flamelab and heaptrack get, and dumps
/// its profile at exit (`prof_final`); the dump is attributed as the others are (`AllocationAttribution`).
struct JemallocPeerRun {
    static let library = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"

    /// What results/memory/jemalloc.json keeps.
    struct Result: Codable {
        var jemalloc: AllocationAttribution
        var checkouts: Int
        var rateBytes: UInt64
        /// The checkout's median CPU per request under jemalloc's profiler (its own process, and another
        /// allocator than the other shops': not a profiler's cost alone).
        var cpuMsMedian: Double?
        var bytesPerCheckout: Double { jemalloc.bytes(per: checkouts) }
    }

    /// The load, as the heaptrack comparison runs it, on this shop's own port.
    let options: LoadOptions
    let rateBytes: UInt64

    func run(_ context: ScenarioContext) throws -> Result {
        guard FileManager.default.fileExists(atPath: Self.library) else {
            throw FlamelabError.failed("run", "jemalloc's profiler", "\(Self.library) is missing (apt-get install libjemalloc2)")
        }
        let scratch = try PrivateFile.temporaryDirectory(prefix: "flamelab-memory-jemalloc")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let load = try PreloadedShopLoad(options: options)
            .run(context, environment: ["LD_PRELOAD": Self.library, "MALLOC_CONF": mallocConf(prefix: scratch + "/jeprof")],
                 what: "jemalloc's sampling profiler")
        let dumps = try FileManager.default.contentsOfDirectory(atPath: scratch).filter { $0.hasSuffix(".f.heap") }
        guard dumps.count == 1, let dump = dumps.first else {
            throw FlamelabError.failed("read", "jemalloc's heap profile", "the shop left \(dumps.count) final dumps in \(scratch) (want 1: was it stopped cleanly?)")
        }
        let heap = try JemallocHeapProfile(text: try String(contentsOfFile: scratch + "/" + dump, encoding: .utf8))
        return Result(jemalloc: AllocationAttribution.of(heap, executable: context.paths.shopExecutable, scope: HeaptrackPeerRun.scope),
                      checkouts: load.records.count, rateBytes: heap.rateBytes,
                      cpuMsMedian: load.summaries.first { $0.route == "checkout" }?.serverCPUMsMedian)
    }

    /// Sampling on at flamelab's mean rate (2^lg_prof_sample bytes), allocated counts kept, one dump at exit.
    private func mallocConf(prefix: String) -> String {
        let log2Rate = Int(log2(Double(rateBytes)).rounded())
        return "prof:true,prof_active:true,prof_accum:true,lg_prof_sample:\(log2Rate),prof_final:true,prof_prefix:\(prefix)"
    }
}
