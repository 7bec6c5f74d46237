import Agent
import Foundation
import LabRuntime
import ProfileModel

/// The ground-truth peer: the shop started under heaptrack's preload library, which records every
/// allocation with its stack, while flamelab's alloc profile samples the same process over the same
/// checkout load. Both are attributed the same way (`AllocationAttribution`) over the checkout's stacks.
struct HeaptrackPeerRun {
    static let preloadLibrary = "/usr/lib/heaptrack/libheaptrack_preload.so"
    static let interpreter = "/usr/lib/heaptrack/libexec/heaptrack_interpret"
    /// Only allocations made under the checkout count, on both sides: heaptrack records from the
    /// process's start, flamelab from its attach.
    static let scope = "Shop.checkout("

    /// The comparison, as results/memory/peers.json keeps it.
    struct Result: Codable {
        var flamelab: AllocationAttribution
        var heaptrack: AllocationAttribution
        var loadSeconds: Double
        var checkouts: Int
        var agent: String
        /// Functions in both top-5 lists.
        var commonTop5: Int { Set(flamelab.top(5)).intersection(heaptrack.top(5)).count }
        /// flamelab's total against heaptrack's.
        var totalBytesError: Double { heaptrack.totalBytes > 0 ? flamelab.totalBytes / heaptrack.totalBytes - 1 : .nan }
    }

    let port: UInt16
    let seconds: Double
    let rate: Double

    func run(_ context: ScenarioContext) throws -> Result {
        for path in [Self.preloadLibrary, Self.interpreter] where !FileManager.default.fileExists(atPath: path) {
            throw FlamelabError.failed("run", "heaptrack", "\(path) is missing (apt-get install heaptrack)")
        }
        let scratch = try PrivateFile.temporaryDirectory(prefix: "flamelab-memory-heaptrack")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let raw = scratch + "/heaptrack.raw", interpreted = scratch + "/heaptrack.txt"
        context.progress.update("memory: starting the shop under heaptrack (every allocation recorded)")
        let service = try context.controller.start(version: "v1", port: port, environment: ["LD_PRELOAD": Self.preloadLibrary, "DUMP_HEAPTRACK_OUTPUT": raw])
        let (recording, load): (AgentRecording, LoadResult)
        do {
            (recording, load) = try profile(service, context)
        } catch {
            try? context.controller.stop(port: port)
            throw error
        }
        // heaptrack writes the rest of its trace as the process exits.
        try context.controller.stop(port: port, graceSeconds: 15)
        context.progress.update("memory: interpreting heaptrack's trace")
        let interpreter = try ChildProcess(Self.interpreter, [], output: interpreted, input: raw)
        guard interpreter.wait(seconds: 300), interpreter.exitStatus == 0 else {
            throw FlamelabError.failed("interpret", "heaptrack's trace", "heaptrack_interpret exited with \(interpreter.exitStatus ?? -1)")
        }
        let text = try String(contentsOfFile: interpreted, encoding: .utf8)
        let trace = try HeaptrackTrace(lines: text.split(separator: "\n", omittingEmptySubsequences: true))
        guard let alloc = recording.profile(.alloc) else {
            throw FlamelabError.failed("record", "an alloc profile beside heaptrack", recording.stats.summary)
        }
        return Result(flamelab: AllocationAttribution.of(alloc, scope: Self.scope),
                      heaptrack: AllocationAttribution.of(trace, executable: context.paths.shopExecutable, scope: Self.scope),
                      loadSeconds: seconds, checkouts: load.records.count, agent: recording.stats.summary)
    }

    /// flamelab's alloc profile of `service` over the checkout load.
    private func profile(_ service: ServiceInstance, _ context: ScenarioContext) throws -> (AgentRecording, LoadResult) {
        let agent = Agent(config: AgentConfig(targets: .pids([service.pid]), kinds: [.alloc], unwind: .fp, durationSeconds: nil,
                                              service: "flamelab-shop", version: "v1"))
        try agent.start()
        agent.waitUntilPrepared()
        context.progress.update(String(format: "memory: %.0f s of checkouts under heaptrack and flamelab alloc", seconds))
        let load = LoadGenerator(options: LoadOptions(mode: .open(rate: rate), durationSeconds: seconds, mix: try RouteMix.parse("checkout"), port: port)).run()
        agent.requestStop()
        return (agent.finish(), load)
    }
}
