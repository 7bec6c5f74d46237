import Foundation
import ProfileModel
import ProfileStore

/// A real store grown to the size the query goals name: about 700k CPU samples in the last hour
/// (99 Hz on 2 busy CPUs). A soak of minutes holds a fraction of that, so its windows are written
/// again into a copy, shifted back in time, until the last hour holds the target. Stacks, trace ids,
/// labels and times are real; only the repetition is made up, and the figures say so. Each copy
/// but the first gets its own trace ids (the originals' mixed with the copy's number): a trace is
/// one request, in one window, as in a real hour, so a trace query finds the originals only once.
///
/// The copies tile the hour: slot after slot, each one soak long, holds the soak's windows at
/// their own cadence, and when more copies are needed than the hour has slots, a slot's windows
/// hold several copies merged (a busier machine, not more windows). So the hour has the windows a
/// real agent writes in an hour (360 per process and kind at 10 s), and the query goals are
/// measured on that many, not on the 10-20 times more that stacking the copies would make.
public enum HourScaleStore {
    public static let hourNs: UInt64 = 3_600_000_000_000

    /// Writes the grown copy of `sourcePath` to `path` (a new file) and returns how many copies of
    /// the source's windows it holds.
    @discardableResult
    public static func build(from sourcePath: String, into path: String, targetCPUSamples: Int = 700_000) throws -> Int {
        let source = try ProfileStore(existing: sourcePath)
        let runs = try source.runs()
        let cpuSamples = runs.filter { $0.kind == .cpu }.reduce(0) { $0 + Int($1.sampleCount) }
        guard cpuSamples > 0 else {
            throw FlamelabError.failed("grow", "profile store \(sourcePath) to an hour", "it holds no CPU sample", code: .input)
        }
        let wanted = max(1, (targetCPUSamples + cpuSamples - 1) / cpuSamples)
        let slots = max(1, min(wanted, slotsPerHour(runs)))
        let copiesPerSlot = (wanted + slots - 1) / slots
        try write(runs, of: source, into: path, slots: slots, copiesPerSlot: copiesPerSlot)
        return slots * copiesPerSlot
    }

    /// Writes the source's windows repeated, one copy per slot, until they fill an hour: what an
    /// agent writes in an hour of the same load. Bytes per sample are measured on this one (merged
    /// copies repeat stacks and times, which compress better than any real hour would).
    public static func buildHour(from sourcePath: String, into path: String) throws {
        let source = try ProfileStore(existing: sourcePath)
        let runs = try source.runs()
        guard !runs.isEmpty else {
            throw FlamelabError.failed("grow", "profile store \(sourcePath) to an hour", "it holds no window", code: .input)
        }
        try write(runs, of: source, into: path, slots: slotsPerHour(runs), copiesPerSlot: 1)
    }

    /// How many spans of the source's windows fit in an hour.
    private static func slotsPerHour(_ runs: [StoredRun]) -> Int {
        guard let newest = runs.map(\.endUnixNs).max(), let oldest = runs.map(\.startUnixNs).min() else { return 1 }
        return max(1, Int(hourNs / max(1, min(newest - oldest, hourNs))))
    }

    /// Slot 0 ends where the source ends; each slot before it is one source span earlier.
    private static func write(_ runs: [StoredRun], of source: ProfileStore, into path: String, slots: Int, copiesPerSlot: Int) throws {
        guard let newest = runs.map(\.endUnixNs).max(), let oldest = runs.map(\.startUnixNs).min() else { return }
        let span = max(1, min(newest - oldest, hourNs))
        let step = slots > 1 ? (hourNs - span) / UInt64(slots - 1) : 0
        let target = try ProfileStore(path: path)
        for run in runs {
            let profile = try source.profile(query: .runs([run.id]))
            let rows = try (0..<slots).map { slot in
                let copies = (0..<copiesPerSlot).map { otherRequests(profile, copy: slot * copiesPerSlot + $0) }
                return (profile: copies.count == 1 ? copies[0] : try ProfileMerge.merge(copies), run: shifted(run, back: UInt64(slot) * step))
            }
            try target.writeAll(rows)
        }
    }

    /// Copy `copy` of `profile` as if its samples came from other requests: trace ids mixed with
    /// the copy's number (copy 0 keeps the originals).
    private static func otherRequests(_ profile: Profile, copy: Int) -> Profile {
        guard copy > 0 else { return profile }
        let mix = UInt64(copy) &* 0x9E37_79B9_7F4A_7C15
        return profile.relabelled { labels in
            var relabelled = labels
            if let id = labels.traceID { relabelled.traceID = TraceID(high: id.high ^ mix, low: id.low) ?? id }
            return relabelled
        }
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
