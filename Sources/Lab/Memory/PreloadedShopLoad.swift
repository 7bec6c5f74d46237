import Foundation
import LabRuntime

/// The checkout load on a fresh shop started under a peer's preload library (`environment`), then a
/// clean stop: heaptrack and jemalloc write the rest of their profile as the process exits.
struct PreloadedShopLoad {
    let port: UInt16
    let options: LoadOptions

    /// Runs it; `what` names the peer in the progress line.
    func run(_ context: ScenarioContext, environment: [String: String], what: String) throws -> LoadResult {
        _ = try context.controller.start(version: "v1", port: port, environment: environment)
        context.progress.update(String(format: "memory: %.0f s of checkouts under %@", options.durationSeconds, what))
        let result: LoadResult
        do { result = LoadGenerator(options: options).run() } catch {
            try? context.controller.stop(port: port)
            throw error
        }
        try context.controller.stop(port: port, graceSeconds: 15)
        return result
    }
}
