import Foundation
import ProfileModel
import ProfileStore

/// A real store grown to the size the query goals name: about 700k CPU samples in the last hour
/// (99 Hz on 2 busy CPUs). A soak of minutes holds a fraction of that, so its windows are written
/// again into a copy, shifted back in time, until the last hour holds the target. Stacks, trace ids,
/// labels and times are real; only the repetition is made up, and the figures say so.
public enum HourScaleStore {
    public static let hourNs: UInt64 = 3_600_000_000_000

    /// Writes the grown copy of `sourcePath` to `path` (a new file) and returns how many copies of
    /// the source's windows it holds.
    @discardableResult
    public static func build(from sourcePath: String, into path: String, targetCPUSamples: Int = 700_000) throws -> Int {
        let source = try ProfileStore(existing: sourcePath)
        let runs = try source.runs()
        let cpuSamples = runs.filter { $0.kind == .cpu }.reduce(0) { $0 + Int($1.sampleCount) }
        guard cpuSamples > 0, let newest = runs.map(\.endUnixNs).max(), let oldest = runs.map(\.startUnixNs).min() else {
            throw FlamelabError.failed("grow", "profile store \(sourcePath) to an hour", "it holds no CPU sample", code: .input)
        }
        let copies = max(1, (targetCPUSamples + cpuSamples - 1) / cpuSamples)
        // The copies spread evenly over the hour before the newest window; they overlap in time when
        // the source is longer than the hour's share of one copy (as more processes would).
        let span = min(newest - oldest, hourNs)
        let step = copies > 1 ? (hourNs - span) / UInt64(copies - 1) : 0
        let target = try ProfileStore(path: path)
        for run in runs {
            let profile = try source.profile(query: .runs([run.id]))
            let rows = (0..<copies).map { copy in (profile: profile, run: shifted(run, back: UInt64(copy) * step)) }
            try target.writeAll(rows)
        }
        return copies
    }

    /// `run` moved `back` nanoseconds earlier on the wall clock. Its samples keep their monotonic
    /// times: the wall anchor moves, and with it every sample's wall time.
    private static func shifted(_ run: StoredRun, back: UInt64) -> StoredRun {
        var moved = run
        moved.startUnixNs = run.startUnixNs - min(back, run.startUnixNs)
        moved.endUnixNs = run.endUnixNs - min(back, run.endUnixNs)
        return moved
    }
}
