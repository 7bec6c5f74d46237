import Foundation
import LabRuntime
import ProfileModel

/// The checkout load on a fresh shop started under a peer's preload library (`environment`), then a
/// clean stop: heaptrack and jemalloc write the rest of their profile as the process exits.
struct PreloadedShopLoad {
    /// The load; its port is the shop's.
    let options: LoadOptions

    /// Runs it; `what` names the peer in the progress line. A load the shop answered with errors only
    /// is an error: a profile of no request work would compare as a profile of nothing.
    func run(_ context: ScenarioContext, environment: [String: String], what: String) throws -> LoadResult {
        _ = try context.controller.start(version: "v1", port: options.port, environment: environment)
        context.progress.update(String(format: "memory: %.0f s of checkouts under %@", options.durationSeconds, what))
        let result = LoadGenerator(options: options).run()
        try context.controller.stop(port: options.port, graceSeconds: 15)
        guard let checkouts = result.summaries.first(where: { $0.route == "checkout" }), checkouts.count > checkouts.errors else {
            throw FlamelabError.failed("load", "the shop under \(what)", "no checkout succeeded on port \(options.port) (\(result.records.count) requests)")
        }
        return result
    }
}
