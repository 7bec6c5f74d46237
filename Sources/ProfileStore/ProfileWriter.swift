import Foundation
import GRDB
import ProfileModel

/// Inserts one profile as a new window inside the caller's write transaction.
///
/// Frames and stacks are interned against the whole store (the cache first, then the unique
/// index, inserted when new); the samples are packed into the window's blobs (`WindowCodec`).
struct ProfileWriter {
    let db: Database
    let storePath: String

    /// Inserts `profile` under `run` (whose id and counts are ignored) and returns the new window's id.
    func insert(_ profile: Profile, run: StoredRun, cache: inout InternCache) throws -> RunID {
        let frameIDs = try internFrames(profile.frames, cache: &cache)
        let stackIDs = try internStacks(profile.stacks, frameIDs: frameIDs, cache: &cache)
        var used = FirstSeenIndex<Int64>()
        var entries: [WindowCodec.Entry] = []
        entries.reserveCapacity(profile.samples.count)
        for (index, sample) in profile.samples.enumerated() {
            guard sample.stackID >= 0, sample.stackID < stackIDs.count else {
                throw FlamelabError.storeWrite(storePath, "sample \(index) points at stack \(sample.stackID), which the profile does not have")
            }
            let store = stackIDs[sample.stackID]
            let local = used.position(of: store)
            let labels = sample.labels
            entries.append(WindowCodec.Entry(stack: local, value: sample.value, objects: sample.objects, traceID: labels.traceID, spanID: labels.spanID,
                                             pid: labels.pid, tid: labels.tid, timestampNs: labels.timestampNs))
        }
        // Time order (untimed samples first, ties in insertion order): what readers get back, and
        // what keeps the time deltas small.
        let ordered = entries.enumerated().sorted { a, b in
            let ta = a.element.timestampNs.map { Int64(bitPattern: $0) } ?? -1, tb = b.element.timestampNs.map { Int64(bitPattern: $0) } ?? -1
            return ta != tb ? ta < tb : a.offset < b.offset
        }.map(\.element)
        let packed = try WindowCodec.pack(storeStacks: used.values, entries: ordered, withObjects: run.kind.isMemory)
        let pids = Set(ordered.compactMap(\.pid))
        try db.execute(
            sql: """
                INSERT INTO window (host, service, version, pid, command, kind, hz, period, unwind_mode, start_unix_ns, end_unix_ns,
                                    monotonic_start_ns, dropped, unreadable, sample_count, total_value, traced, stacks, contexts, samples)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [run.host, run.service, run.version, run.pid ?? (pids.count == 1 ? pids.first : nil), run.command,
                        run.kind.rawValue, run.hz, run.period, run.unwindMode?.rawValue ?? "unknown",
                        Int64(clamping: run.startUnixNs), Int64(clamping: run.endUnixNs), Int64(clamping: run.monotonicStartNs),
                        run.dropped, run.unreadable, Int64(profile.samples.count), profile.totalValue, run.traced ? 1 : 0,
                        Data(packed.stacks), Data(packed.contexts), Data(packed.samples)])
        let id = db.lastInsertedRowID
        let traces = Set(ordered.compactMap(\.traceID))
        if !traces.isEmpty {
            try db.execute(sql: "INSERT INTO window_trace_filter (window_id, filter) VALUES (?, ?)",
                           arguments: [id, Data(TraceIDFilter(ids: traces).bytes)])
        }
        return RunID(id)
    }

    /// Store ids of `frames`, in the profile's frame order.
    private func internFrames(_ frames: [Frame], cache: inout InternCache) throws -> [Int64] {
        let find = try db.cachedStatement(sql: """
            SELECT id FROM frame
            WHERE name = ? AND module = ? AND kind = ?
              AND ifnull(file, char(0)) = ifnull(?, char(0)) AND ifnull(line, -1) = ifnull(?, -1)
            """)
        let add = try db.cachedStatement(sql: "INSERT INTO frame (name, module, kind, file, line) VALUES (?, ?, ?, ?, ?)")
        return try frames.map { frame in
            if let id = cache.frame(frame) { return id }
            let id = try findOrInsert(find: find, add: add, arguments: [frame.name, frame.module, frame.kind.rawValue, frame.file, frame.line])
            cache.add(frame, id: id)
            return id
        }
    }

    /// The id of the row `find` selects with `arguments`, or of the one `add` inserts with them.
    private func findOrInsert(find: Statement, add: Statement, arguments: StatementArguments) throws -> Int64 {
        if let found = try Int64.fetchOne(find, arguments: arguments) { return found }
        try add.execute(arguments: arguments)
        return db.lastInsertedRowID
    }

    /// Store ids of `stacks` (profile frame indices, root first), in the profile's stack order.
    private func internStacks(_ stacks: [[Int32]], frameIDs: [Int64], cache: inout InternCache) throws -> [Int64] {
        let find = try db.cachedStatement(sql: "SELECT id FROM stack WHERE hash = ? AND frames = ?")
        let add = try db.cachedStatement(sql: "INSERT INTO stack (hash, frames) VALUES (?, ?)")
        return try stacks.enumerated().map { index, stack in
            guard let storeIDs = storeFrameIDs(stack, frameIDs: frameIDs) else {
                throw FlamelabError.storeWrite(storePath, "stack \(index) points at a frame the profile does not have")
            }
            let blob = StackBlob.encode(storeIDs)
            if let id = cache.stack(blob) { return id }
            let id = try findOrInsert(find: find, add: add, arguments: [StackBlob.hash(blob), blob])
            cache.add(stack: blob, id: id)
            return id
        }
    }

    private func storeFrameIDs(_ stack: [Int32], frameIDs: [Int64]) -> [Int64]? {
        var ids = [Int64]()
        ids.reserveCapacity(stack.count)
        for index in stack {
            guard index >= 0, Int(index) < frameIDs.count else { return nil }
            ids.append(frameIDs[Int(index)])
        }
        return ids
    }

}
