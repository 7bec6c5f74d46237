import Foundation
import GRDB
import ProfileModel

extension ProfileStore {
    /// Applies `policy` at `nowUnixNs` (see `RetentionPolicy`). Pages freed go back to the file
    /// system. Bounded in time, so the agent's writer is never held up for long: a pass that runs out
    /// of its budget stops with `unfinished` set, and the next pass goes on.
    @discardableResult
    public func applyRetention(_ policy: RetentionPolicy, nowUnixNs: UInt64, budgetSeconds: Double = 2) throws -> RetentionReport {
        let deadline = Date().addingTimeInterval(budgetSeconds)
        var report = RetentionReport(bytesBefore: try dataBytes())
        if let maxAge = policy.maxAgeNs, nowUnixNs > maxAge {
            report.deletedWindows += try writing { db in
                try db.execute(sql: "DELETE FROM window WHERE end_unix_ns < ?", arguments: [Int64(clamping: nowUnixNs - maxAge)])
                return db.changesCount
            }
        }
        if report.deletedWindows > 0 { report.malformedWindows += try collectGarbage() }
        try compact()
        if let maxBytes = policy.maxBytes {
            let mergeBefore = nowUnixNs > policy.fullDetailNs ? nowUnixNs - policy.fullDetailNs : 0
            while try dataBytes() > maxBytes {
                if Date() > deadline {
                    report.unfinished = true
                    break
                }
                let merged = try mergeOldest(policy.mergeFactor, endedBefore: mergeBefore)
                report.mergedWindows += merged
                if merged == 0 {
                    let deleted = try deleteOldest()
                    report.deletedWindows += deleted
                    if deleted == 0 { break }
                }
                report.malformedWindows += try collectGarbage()
                try compact()
            }
        }
        report.bytesAfter = try dataBytes()
        return report
    }

    /// The bytes the store's pages in use take, without the write-ahead log: what retention bounds.
    /// The log itself stays small (SQLite checkpoints it every ~4 MiB) but can only be truncated when
    /// no reader is active, so counting it would make the bound depend on the readers.
    public func dataBytes() throws -> Int64 {
        try reading { db in
            let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            let free = try Int64.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
            let size = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 0
            return (pages - free) * size
        }
    }

    /// Deletes the stacks no window uses any more, then the frames no stack uses, and forgets the
    /// writer's cached ids (a deleted id must not be handed out again). A window whose stack list is
    /// malformed cannot be read and would keep every later pass from running: it is deleted, and
    /// counted in the returned number.
    @discardableResult
    func collectGarbage() throws -> Int {
        let malformed = try writing { db -> Int in
            var stacks = Set<Int64>()
            var broken: [Int64] = []
            let rows = try Row.fetchCursor(db, sql: "SELECT id, stacks FROM window")
            while let row = try rows.next() {
                let id: Int64 = try row.decode(forColumn: "id")
                guard let blob = try? row.decode(Data.self, forColumn: "stacks"),
                      let ids = try? WindowCodec.storeStacks([UInt8](blob)) else {
                    broken.append(id)
                    continue
                }
                stacks.formUnion(ids)
            }
            for id in broken { try db.execute(sql: "DELETE FROM window WHERE id = ?", arguments: [id]) }
            try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS kept (id INTEGER PRIMARY KEY)")
            try db.execute(sql: "DELETE FROM kept")
            let keep = try db.makeStatement(sql: "INSERT INTO kept (id) VALUES (?)")
            for id in stacks { try keep.execute(arguments: [id]) }
            try db.execute(sql: "DELETE FROM stack WHERE id NOT IN (SELECT id FROM kept)")
            try db.execute(sql: "DELETE FROM kept")
            var frames = Set<Int64>()
            let frameBlobs = try Data.fetchCursor(db, sql: "SELECT frames FROM stack")
            while let blob = try frameBlobs.next() { frames.formUnion(StackBlob.decode(blob) ?? []) }
            for id in frames { try keep.execute(arguments: [id]) }
            try db.execute(sql: "DELETE FROM frame WHERE id NOT IN (SELECT id FROM kept)")
            try db.execute(sql: "DELETE FROM kept")
            return broken.count
        }
        forgetInternedIDs()
        return malformed
    }

    /// Gives freed pages back to the file system and folds what it can of the write-ahead log into
    /// the file. Passive: a truncating checkpoint would wait for every reader (a `lab serve` page)
    /// and hold the agent's writer meanwhile; SQLite truncates the log once no reader needs it.
    func compact() throws {
        _ = try writingWithoutTransaction { db in
            try db.execute(sql: "PRAGMA incremental_vacuum")
            return try db.checkpoint(.passive)
        }
    }

    /// Downsamples in one transaction up to `groupsPerRound` groups of the oldest traced windows
    /// that ended before `endedBefore`, each group up to `factor` windows of one set of labels merged
    /// into one; returns how many windows it merged (0 when none can be).
    private func mergeOldest(_ factor: Int, endedBefore: UInt64, groupsPerRound: Int = 32) throws -> Int {
        try writing { db in
            let reader = ProfileReader(db: db, storePath: path)
            var mergedWindows = 0
            for _ in 0..<groupsPerRound {
                guard let oldest = try Row.fetchOne(db, sql: """
                    SELECT \(ProfileReader.runColumns) FROM window WHERE traced = 1 AND end_unix_ns < ? ORDER BY end_unix_ns LIMIT 1
                    """, arguments: [Int64(clamping: endedBefore)]) else { break }
                let first = try reader.storedRun(oldest)
                let group = try Row.fetchAll(db, sql: """
                    SELECT \(ProfileReader.runColumns) FROM window
                    WHERE traced = 1 AND end_unix_ns < ? AND kind = ? AND host = ? AND service IS ? AND version IS ? AND pid IS ?
                      AND hz = ? AND period IS ? AND unwind_mode = (SELECT unwind_mode FROM window WHERE id = ?) AND command = ?
                    ORDER BY end_unix_ns LIMIT ?
                    """, arguments: [Int64(clamping: endedBefore), first.kind.rawValue, first.host, first.service, first.version,
                                     first.pid.map { Int64($0) }, first.hz, first.period, first.id.rawValue, first.command, factor]).map(reader.storedRun)
                try merge(group, first: first, db: db, reader: reader)
                mergedWindows += group.count
            }
            return mergedWindows
        }
    }

    /// Replaces `group` (windows of `first`'s labels) by one downsampled window.
    private func merge(_ group: [StoredRun], first: StoredRun, db: Database, reader: ProfileReader) throws {
        let profile = try reader.profile(ProfileQuery(runs: RunFilter(ids: group.map(\.id))))
        var merged = StoredRun(
            id: RunID(0), service: first.service, version: first.version, pid: first.pid, kind: first.kind, hz: first.hz,
            unwindMode: first.unwindMode, startUnixNs: group.map(\.startUnixNs).min() ?? 0, endUnixNs: group.map(\.endUnixNs).max() ?? 0,
            dropped: group.reduce(0) { $0 + $1.dropped }, unreadable: group.reduce(0) { $0 + $1.unreadable },
            host: first.host, command: first.command, sampleCount: 0, totalValue: 0, traced: false)
        merged.monotonicStartNs = 0
        merged.period = first.period
        var cache = InternCache()
        _ = try ProfileWriter(db: db, storePath: path).insert(Self.aggregated(profile), run: merged, cache: &cache)
        try db.execute(sql: "DELETE FROM window WHERE id IN (\(group.map { String($0.id.rawValue) }.joined(separator: ",")))")
    }

    /// One sample per stack with the summed values (both, for memory): what a downsampled window
    /// keeps. An in-use group was read as its latest snapshot (`ProfileReader.latestSnapshots`), so the
    /// merged window holds what was live at the group's end.
    static func aggregated(_ profile: Profile) -> Profile {
        var totals = [Int64](repeating: 0, count: profile.stacks.count)
        var objects = [Int64](repeating: 0, count: profile.stacks.count)
        for sample in profile.samples {
            totals[sample.stackID] &+= sample.value
            objects[sample.stackID] &+= sample.objects ?? 0
        }
        let isMemory = profile.metadata.kind.isMemory
        var result = Profile(metadata: profile.metadata)
        for (stack, total) in totals.enumerated() where total != 0 {
            result.add(stack: profile.frames(ofStack: stack), value: total, objects: isMemory ? objects[stack] : nil)
        }
        return result
    }

    /// Deletes the oldest tenth of the windows (at least one); returns how many.
    private func deleteOldest() throws -> Int {
        try writing { db in
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM window") ?? 0
            guard count > 0 else { return 0 }
            try db.execute(sql: "DELETE FROM window WHERE id IN (SELECT id FROM window ORDER BY end_unix_ns LIMIT ?)",
                           arguments: [max(1, count / 10)])
            return db.changesCount
        }
    }
}
