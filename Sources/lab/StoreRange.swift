import ArgumentParser
import Foundation
import LabRuntime
import ProfileModel
import ProfileStore

/// A moment on the command line (`TimePointParser`): ISO 8601 (`2026-12-01T21:00:00Z`) or Unix seconds.
struct TimePoint: ExpressibleByArgument, Sendable {
    let unixNs: UInt64

    init?(argument: String) {
        guard let unixNs = TimePointParser.unixNs(argument) else { return nil }
        self.unixNs = unixNs
    }
}

/// The store and the time range the store-reading commands share: `--store`, then `--last 15m` or
/// `--from/--to`; the last hour when none is given (a store holds days: reading all of it is never
/// what a first command means).
struct StoreRange: ParsableArguments {
    @Option(name: .customLong("store"), help: "The profile store file (default: results/runs/profiles.sqlite).")
    var path: String?
    @Option(help: "Start of the range: ISO 8601 or Unix seconds.") var from: TimePoint?
    @Option(help: "End of the range (default: now).") var to: TimePoint?
    @Option(help: "The last span before now, e.g. 15m (instead of --from/--to; default: 1h).") var last: Duration?

    /// The range when none is given.
    static let defaultLastSeconds: Double = 3_600

    func validate() throws {
        if last != nil, from != nil || to != nil { throw ValidationError("give --last or --from/--to, not both") }
    }

    var storePath: String { path ?? ContinuousAgentConfig.defaultStorePath }

    /// Opens the store for reading; a missing file is an input error naming it.
    func open() throws -> ProfileStore {
        try ProfileStore(existing: storePath)
    }

    /// `selection` with this range.
    func applied(to selection: StoreSelection) -> StoreSelection {
        var result = selection
        let now = UInt64(Date().timeIntervalSince1970 * 1e9)
        if last != nil || (from == nil && to == nil) {
            let range = StoreSelection.last(last?.seconds ?? Self.defaultLastSeconds, nowUnixNs: now)
            result.fromUnixNs = range.fromUnixNs
            result.toUnixNs = range.toUnixNs
        } else {
            result.fromUnixNs = from?.unixNs
            result.toUnixNs = to?.unixNs ?? (from != nil ? now : nil)
        }
        return result
    }
}
