import Foundation
import GRDB
import ProfileModel

/// Reads windows and their samples back into `ProfileModel` values inside the caller's read transaction.
struct ProfileReader {
    let db: Database
    let storePath: String

    /// The columns of a window's description (not its blobs).
    static let runColumns = """
        id, host, service, version, pid, command, kind, hz, unwind_mode, start_unix_ns, end_unix_ns, monotonic_start_ns,
        dropped, unreadable, sample_count, total_value, traced
        """

    /// Windows matching `filter`, oldest id first.
    func runs(_ filter: RunFilter) throws -> [StoredRun] {
        let (whereSQL, arguments) = Self.whereClause(filter)
        let rows = try Row.fetchAll(db, sql: "SELECT \(Self.runColumns) FROM window \(whereSQL) ORDER BY id", arguments: arguments)
        return try rows.map(storedRun)
    }

    /// Counts and spans per service, version and kind (one GROUP BY, no blob read).
    func summaries(_ filter: RunFilter) throws -> [WindowSummary] {
        let (whereSQL, arguments) = Self.whereClause(filter)
        let sql = """
            SELECT service, version, kind, COUNT(*) AS windows, SUM(sample_count) AS samples,
                   MIN(start_unix_ns) AS first_start, MAX(end_unix_ns) AS last_end
            FROM window \(whereSQL) GROUP BY service, version, kind ORDER BY last_end DESC
            """
        return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row in
            guard let kind = ProfileKind(rawValue: row["kind"] as String) else { return nil }
            let samples: Int64? = row["samples"]
            return WindowSummary(service: row["service"], version: row["version"], kind: kind, windows: row["windows"],
                                 samples: samples ?? 0, firstStartUnixNs: UInt64(max(0, row["first_start"] as Int64)),
                                 lastEndUnixNs: UInt64(max(0, row["last_end"] as Int64)))
        }
    }

    static func whereClause(_ filter: RunFilter) -> (String, StatementArguments) {
        var clauses = [String]()
        var arguments = StatementArguments()
        if let ids = filter.ids {
            clauses.append(ids.isEmpty ? "0" : "id IN (\(Array(repeating: "?", count: ids.count).joined(separator: ",")))")
            arguments += StatementArguments(ids.map(\.rawValue))
        }
        if let service = filter.service { clauses.append("service = ?"); arguments += [service] }
        if let version = filter.version { clauses.append("version = ?"); arguments += [version] }
        if let kind = filter.kind { clauses.append("kind = ?"); arguments += [kind.rawValue] }
        if let pid = filter.pid { clauses.append("pid = ?"); arguments += [Int64(pid)] }
        if let host = filter.host { clauses.append("host = ?"); arguments += [host] }
        if let window = filter.overlappingUnixNs {
            clauses.append("start_unix_ns <= ? AND end_unix_ns >= ?")
            arguments += [Int64(clamping: window.upperBound), Int64(clamping: window.lowerBound)]
        }
        return (clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND "), arguments)
    }

    /// The distinct trace ids of a window's samples, sorted.
    func traceIDs(run: RunID) throws -> [TraceID] {
        guard let blob = try Data.fetchOne(db, sql: "SELECT contexts FROM window WHERE id = ?", arguments: [run.rawValue]) else { return [] }
        do {
            return Set(try WindowCodec.traceIDs([UInt8](blob)).compactMap { $0 }).sorted()
        } catch let malformed as WindowCodec.Malformed {
            throw FlamelabError.storeRead(storePath, "window \(run) has a malformed \(malformed.what)")
        }
    }

    /// Samples of the windows matched by `query`, merged into one profile.
    func profile(_ query: ProfileQuery) throws -> Profile {
        let runs = try runs(query.runs)
        var metadata = try mergedMetadata(runs, requestedKind: query.runs.kind)
        let shifts = Self.timeShifts(runs, metadata: &metadata)
        var profile = Profile(metadata: metadata)
        var stacks = try StackResolver(db: db, storePath: storePath)
        let wanted = query.traceIDs.map(Set.init)
        let blobs = try db.makeStatement(sql: "SELECT stacks, contexts, samples FROM window WHERE id = ?")
        for run in runs {
            guard let row = try Row.fetchOne(blobs, arguments: [run.id.rawValue]) else { continue }
            let shift = shifts[run.id] ?? 0
            let packed = WindowCodec.Packed(stacks: [UInt8](row["stacks"] as Data), contexts: [UInt8](row["contexts"] as Data),
                                            samples: [UInt8](row["samples"] as Data))
            do {
                if let wanted, !(try WindowCodec.traceIDs(packed.contexts).contains { $0.map(wanted.contains) ?? false }) { continue }
                let storeStacks = try WindowCodec.storeStacks(packed.stacks)
                var local = [Int?](repeating: nil, count: storeStacks.count)
                try WindowCodec.unpack(packed) { entry in
                    guard Self.matches(entry, query: query, wanted: wanted) else { return }
                    let id: Int
                    if let known = local[entry.stack] {
                        id = known
                    } else {
                        id = try stacks.profileStackID(storeStackID: storeStacks[entry.stack], into: &profile)
                        local[entry.stack] = id
                    }
                    profile.add(stackID: id, value: entry.value, labels: SampleLabels(
                        traceID: entry.traceID, spanID: entry.spanID, pid: entry.pid, tid: entry.tid, timestampNs: entry.timestampNs.map { $0 &+ shift }))
                }
            } catch let malformed as WindowCodec.Malformed {
                throw FlamelabError.storeRead(storePath, "window \(run.id) has a malformed \(malformed.what)")
            }
        }
        return profile
    }

    /// Puts the samples of several windows on one timeline: each window's monotonic times are
    /// shifted by the difference between its wall-clock anchor and the earliest timed window's, and the
    /// merged metadata gets that anchor. So `wallTimeNs(of:)` holds for every sample of the merged
    /// profile, across clock steps and across reboots (whose monotonic clocks restart). Returns the
    /// shift per window (none for one window, or untimed ones).
    static func timeShifts(_ runs: [StoredRun], metadata: inout ProfileMetadata) -> [RunID: UInt64] {
        let timed = runs.filter { $0.monotonicStartNs > 0 && $0.startUnixNs > 0 }
        guard runs.count > 1, let anchor = timed.min(by: { $0.startUnixNs < $1.startUnixNs }) else { return [:] }
        // wall = t + (startUnix - monotonicStart), in wrapping arithmetic.
        func offset(_ run: StoredRun) -> UInt64 { run.startUnixNs &- run.monotonicStartNs }
        var shifts: [RunID: UInt64] = [:]
        for run in timed { shifts[run.id] = offset(run) &- offset(anchor) }
        let back = anchor.startUnixNs - min(anchor.startUnixNs, metadata.startUnixNs)
        metadata.monotonicStartNs = anchor.monotonicStartNs > back && metadata.startUnixNs > 0 ? anchor.monotonicStartNs - back : 0
        return shifts
    }

    private static func matches(_ entry: WindowCodec.Entry, query: ProfileQuery, wanted: Set<TraceID>?) -> Bool {
        if let wanted, !(entry.traceID.map(wanted.contains) ?? false) { return false }
        if let window = query.sampleTimeNs, !(entry.timestampNs.map(window.contains) ?? false) { return false }
        if let pid = query.runs.pid, entry.pid != pid { return false }
        return true
    }

    /// One metadata for several windows: shared fields kept, differing ones cleared, drops summed.
    /// Windows of different kinds are refused: their values have different units.
    private func mergedMetadata(_ runs: [StoredRun], requestedKind: ProfileKind?) throws -> ProfileMetadata {
        guard let first = runs.first else { return ProfileMetadata(kind: requestedKind ?? .cpu) }
        if let other = runs.first(where: { $0.kind != first.kind }) {
            throw FlamelabError.storeRead(storePath, "runs \(first.id) (\(first.kind.rawValue)) and \(other.id) (\(other.kind.rawValue)) have different kinds; select one kind", code: .input)
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

    func storedRun(_ row: Row) throws -> StoredRun {
        let id: Int64 = row["id"]
        let kindName: String = row["kind"]
        guard let kind = ProfileKind(rawValue: kindName) else {
            throw FlamelabError.storeRead(storePath, "window \(id) has unknown kind \"\(kindName)\"")
        }
        let pid: Int64? = row["pid"]
        return StoredRun(
            id: RunID(id), service: row["service"], version: row["version"], pid: pid.map { Int32(truncatingIfNeeded: $0) },
            kind: kind, hz: row["hz"], unwindMode: UnwindMode(rawValue: row["unwind_mode"] as String),
            startUnixNs: UInt64(max(0, row["start_unix_ns"] as Int64)), endUnixNs: UInt64(max(0, row["end_unix_ns"] as Int64)),
            monotonicStartNs: UInt64(max(0, row["monotonic_start_ns"] as Int64)),
            dropped: row["dropped"], unreadable: row["unreadable"], host: row["host"], command: row["command"],
            sampleCount: row["sample_count"], totalValue: row["total_value"], traced: (row["traced"] as Int64) != 0)
    }
}
