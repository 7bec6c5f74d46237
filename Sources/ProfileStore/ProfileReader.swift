import Foundation
import GRDB
import ProfileModel

/// Reads runs and samples back into `ProfileModel` values inside the caller's read transaction.
struct ProfileReader {
    let db: Database
    let storePath: String

    /// Runs matching `filter`, oldest id first.
    func runs(_ filter: RunFilter) throws -> [StoredRun] {
        var clauses = [String]()
        var arguments = StatementArguments()
        if let ids = filter.ids {
            if ids.isEmpty { return [] }
            clauses.append("id IN (\(placeholders(ids.count)))")
            arguments += StatementArguments(ids.map(\.rawValue))
        }
        if let service = filter.service { clauses.append("service = ?"); arguments += [service] }
        if let version = filter.version { clauses.append("version = ?"); arguments += [version] }
        if let kind = filter.kind { clauses.append("kind = ?"); arguments += [kind.rawValue] }
        if let window = filter.overlappingUnixNs {
            clauses.append("start_unix_ns <= ? AND end_unix_ns >= ?")
            arguments += [Int64(clamping: window.upperBound), Int64(clamping: window.lowerBound)]
        }
        let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM run \(whereSQL) ORDER BY id", arguments: arguments)
        return try rows.map(storedRun)
    }

    /// The distinct trace ids of a run's samples, sorted.
    func traceIDs(run: RunID) throws -> [TraceID] {
        let blobs = try Data.fetchAll(db, sql: """
            SELECT DISTINCT trace_id FROM sample WHERE run_id = ? AND trace_id IS NOT NULL ORDER BY trace_id
            """, arguments: [run.rawValue])
        return blobs.compactMap { TraceID(bytes: $0) }
    }

    /// Samples of the runs matched by `query`, merged into one profile.
    func profile(_ query: ProfileQuery) throws -> Profile {
        let runs = try runs(query.runs)
        var profile = Profile(metadata: try mergedMetadata(runs, requestedKind: query.runs.kind))
        let rows = try sampleRows(query, runIDs: Set(runs.map(\.id.rawValue)))
        var stacks = try StackResolver(db: db, storePath: storePath)
        for row in rows {
            let stackID = try stacks.profileStackID(storeStackID: row.stackID, into: &profile)
            profile.add(stackID: stackID, value: row.value, labels: row.labels)
        }
        return profile
    }

    private func sampleRows(_ query: ProfileQuery, runIDs: Set<Int64>) throws -> [SampleRow] {
        let timeSQL = query.sampleTimeNs == nil ? "" : " AND time_ns BETWEEN ?2 AND ?3"
        let window = query.sampleTimeNs.map { (Int64(clamping: $0.lowerBound), Int64(clamping: $0.upperBound)) }
        let select = "SELECT \(SampleRow.columns) FROM sample"
        var rows = [SampleRow]()
        if let traceIDs = query.traceIDs {
            // Trace lookups go through the trace index; the run filter is applied here because
            // a trace has few samples, far fewer than a run.
            let statement = try RawStatement(db, sql: "\(select) WHERE trace_id = ?1\(timeSQL)")
            var trace = [UInt8](repeating: 0, count: 16)
            for traceID in Set(traceIDs) {
                trace.withUnsafeMutableBytes { buffer in
                    statement.bind(1, bytes: ProfileWriter.storedTrace(traceID, into: buffer))
                }
                bindWindow(window, statement)
                rows += try SampleRow.readAll(statement).filter { runIDs.contains($0.runID) }
            }
            rows.sort { ($0.runID, $0.timeNs ?? -1, $0.rowID) < ($1.runID, $1.timeNs ?? -1, $1.rowID) }
        } else {
            let statement = try RawStatement(db, sql: "\(select) WHERE run_id = ?1\(timeSQL) ORDER BY time_ns, rowid")
            for runID in runIDs.sorted() {
                statement.bind(1, runID)
                bindWindow(window, statement)
                rows += try SampleRow.readAll(statement)
            }
        }
        return rows
    }

    private func bindWindow(_ window: (Int64, Int64)?, _ statement: RawStatement) {
        guard let window else { return }
        statement.bind(2, window.0)
        statement.bind(3, window.1)
    }

    /// One metadata for several runs: shared fields kept, differing ones cleared, drops summed.
    /// Runs of different kinds are refused: their values have different units.
    private func mergedMetadata(_ runs: [StoredRun], requestedKind: ProfileKind?) throws -> ProfileMetadata {
        guard let first = runs.first else { return ProfileMetadata(kind: requestedKind ?? .cpu) }
        if let other = runs.first(where: { $0.kind != first.kind }) {
            throw FlamelabError.storeRead(storePath, "runs \(first.id) (\(first.kind.rawValue)) and \(other.id) (\(other.kind.rawValue)) have different kinds; select one kind")
        }
        func shared<T: Equatable>(_ field: (StoredRun) -> T, otherwise: T) -> T {
            runs.allSatisfy { field($0) == field(first) } ? field(first) : otherwise
        }
        return ProfileMetadata(
            kind: first.kind,
            hz: shared(\.hz, otherwise: 0),
            unwindMode: shared(\.unwindMode, otherwise: nil),
            service: shared(\.service, otherwise: nil),
            version: shared(\.version, otherwise: nil),
            startUnixNs: runs.map(\.startUnixNs).min() ?? 0,
            endUnixNs: runs.map(\.endUnixNs).max() ?? 0,
            monotonicStartNs: runs.count == 1 ? first.monotonicStartNs : 0,
            dropped: runs.reduce(0) { $0 + $1.dropped })
    }

    private func storedRun(_ row: Row) throws -> StoredRun {
        let id: Int64 = row["id"]
        let kindName: String = row["kind"]
        guard let kind = ProfileKind(rawValue: kindName) else {
            throw FlamelabError.storeRead(storePath, "run \(id) has unknown kind \"\(kindName)\"")
        }
        return StoredRun(
            id: RunID(id), service: row["service"], version: row["version"], kind: kind, hz: row["hz"],
            unwindMode: UnwindMode(rawValue: row["unwind_mode"] as String),
            startUnixNs: UInt64(max(0, row["start_unix_ns"] as Int64)), endUnixNs: UInt64(max(0, row["end_unix_ns"] as Int64)),
            monotonicStartNs: UInt64(max(0, (row["monotonic_start_ns"] as Int64?) ?? 0)),
            dropped: row["dropped"], host: row["host"], command: row["command"],
            sampleCount: row["sample_count"], totalValue: row["total_value"])
    }

    private func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ",")
    }
}
