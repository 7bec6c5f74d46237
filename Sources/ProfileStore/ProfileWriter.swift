import Foundation
import GRDB
import ProfileModel

/// Inserts one profile as a new run inside the caller's write transaction.
///
/// Frames and stacks are interned against the whole store (looked up by their unique index,
/// inserted when new); samples are inserted with one prepared statement.
struct ProfileWriter {
    let db: Database
    let storePath: String

    /// Inserts `profile` under `run` (whose id is ignored) and returns the new run's id.
    func insert(_ profile: Profile, run: StoredRun) throws -> RunID {
        let runID = try insertRun(run, profile: profile)
        let frameIDs = try internFrames(profile.frames)
        let stackIDs = try internStacks(profile.stacks, frameIDs: frameIDs)
        try insertSamples(profile.samples, runID: runID, stackIDs: stackIDs)
        return RunID(runID)
    }

    private func insertRun(_ run: StoredRun, profile: Profile) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO run (service, version, kind, hz, unwind_mode, start_unix_ns, end_unix_ns, monotonic_start_ns, dropped,
                                 host, command, sample_count, total_value)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [run.service, run.version, run.kind.rawValue, run.hz, run.unwindMode?.rawValue ?? "unknown",
                        Int64(clamping: run.startUnixNs), Int64(clamping: run.endUnixNs), Int64(clamping: run.monotonicStartNs), run.dropped,
                        run.host, run.command, Int64(profile.samples.count), profile.totalValue])
        return db.lastInsertedRowID
    }

    /// Store ids of `frames`, in the profile's frame order.
    private func internFrames(_ frames: [Frame]) throws -> [Int64] {
        let find = try db.makeStatement(sql: """
            SELECT id FROM frame
            WHERE name = ? AND module = ? AND kind = ?
              AND ifnull(file, char(0)) = ifnull(?, char(0)) AND ifnull(line, -1) = ifnull(?, -1)
            """)
        let add = try db.makeStatement(sql: "INSERT INTO frame (name, module, kind, file, line) VALUES (?, ?, ?, ?, ?)")
        return try frames.map { frame in
            let arguments: StatementArguments = [frame.name, frame.module, frame.kind.rawValue, frame.file, frame.line]
            if let id = try Int64.fetchOne(find, arguments: arguments) { return id }
            try add.execute(arguments: arguments)
            return db.lastInsertedRowID
        }
    }

    /// Store ids of `stacks` (profile frame indices, root first), in the profile's stack order.
    private func internStacks(_ stacks: [[Int32]], frameIDs: [Int64]) throws -> [Int64] {
        let find = try db.makeStatement(sql: "SELECT id FROM stack WHERE hash = ? AND frames = ?")
        let add = try db.makeStatement(sql: "INSERT INTO stack (hash, frames) VALUES (?, ?)")
        return try stacks.enumerated().map { index, stack in
            guard let storeIDs = storeFrameIDs(stack, frameIDs: frameIDs) else {
                throw FlamelabError.storeWrite(storePath, "stack \(index) points at a frame the profile does not have")
            }
            let blob = StackBlob.encode(storeIDs)
            let arguments: StatementArguments = [StackBlob.hash(blob), blob]
            if let id = try Int64.fetchOne(find, arguments: arguments) { return id }
            try add.execute(arguments: arguments)
            return db.lastInsertedRowID
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

    private func insertSamples(_ samples: [Sample], runID: Int64, stackIDs: [Int64]) throws {
        let add = try RawStatement(db, sql: """
            INSERT INTO sample (run_id, stack_id, time_ns, value, trace_id, span_id, pid, tid)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var trace = [UInt8](repeating: 0, count: 16)
        try trace.withUnsafeMutableBytes { traceBuffer in
            for (index, sample) in samples.enumerated() {
                guard sample.stackID >= 0, sample.stackID < stackIDs.count else {
                    throw FlamelabError.storeWrite(storePath, "sample \(index) points at stack \(sample.stackID), which the profile does not have")
                }
                let labels = sample.labels
                add.bind(1, runID)
                add.bind(2, stackIDs[sample.stackID])
                add.bind(3, try storedTime(labels.timestampNs, sampleIndex: index))
                add.bind(4, sample.value)
                add.bind(5, bytes: Self.storedTrace(labels.traceID, into: traceBuffer))
                add.bind(6, labels.spanID.map { Int64(bitPattern: $0.value) })
                add.bind(7, labels.pid)
                add.bind(8, labels.tid)
                try add.execute()
            }
        }
    }

    /// A trace id as the 16-byte blob the store keeps (W3C byte order), written into `buffer`.
    static func storedTrace(_ trace: TraceID?, into buffer: UnsafeMutableRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard let trace else { return nil }
        buffer.storeBytes(of: trace.high.bigEndian, toByteOffset: 0, as: UInt64.self)
        buffer.storeBytes(of: trace.low.bigEndian, toByteOffset: 8, as: UInt64.self)
        return UnsafeRawBufferPointer(buffer)
    }

    private func storedTime(_ time: UInt64?, sampleIndex: Int) throws -> Int64? {
        guard let time else { return nil }
        guard time <= UInt64(Int64.max) else {
            throw FlamelabError.storeWrite(storePath, "sample \(sampleIndex) has timestamp \(time), beyond what the store keeps")
        }
        return Int64(time)
    }
}
