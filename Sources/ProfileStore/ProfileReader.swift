import Foundation
import GRDB
import ProfileModel

/// Reads windows and their samples back into `ProfileModel` values inside the caller's read transaction.
struct ProfileReader {
    let db: Database
    let storePath: String

    /// The columns of a window's description (not its blobs).
    static let runColumns = """
        id, host, service, version, pid, command, kind, hz, period, unwind_mode, start_unix_ns, end_unix_ns, monotonic_start_ns,
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
        do {
            return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row in
                guard let kind = ProfileKind(rawValue: try row.decode(String.self, forColumn: "kind")) else { return nil }
                let samples: Int64? = try row.decode(forColumn: "samples")
                let first: Int64? = try row.decode(forColumn: "first_start"), last: Int64? = try row.decode(forColumn: "last_end")
                return try WindowSummary(service: row.decode(forColumn: "service"), version: row.decode(forColumn: "version"), kind: kind,
                                         windows: row.decode(forColumn: "windows"), samples: samples ?? 0,
                                         firstStartUnixNs: UInt64(max(0, first ?? 0)), lastEndUnixNs: UInt64(max(0, last ?? 0)))
            }
        } catch let error as DatabaseError {
            throw error
        } catch {
            throw FlamelabError.storeRead(storePath, "a window row is malformed (\(error))")
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
        if let traced = filter.traced { clauses.append("traced = ?"); arguments += [traced ? 1 : 0] }
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

    /// Samples of the windows matched by `query`, merged into one profile. A wall-clock range
    /// (`runs.overlappingUnixNs`) selects the windows that overlap it and, within timed windows, the
    /// samples taken in it: a range that cuts a window takes only its part (unless the query selects
    /// samples on their own clock instead, `sampleTimeNs`). In-use windows are snapshots: see
    /// `latestSnapshots`.
    func profile(_ query: ProfileQuery) throws -> Profile {
        let runs = Self.latestSnapshots(try runs(query.runs))
        var metadata = try mergedMetadata(runs, requestedKind: query.runs.kind)
        let shifts = Self.timeShifts(runs, metadata: &metadata)
        var profile = Profile(metadata: metadata)
        var stacks = try StackResolver(db: db, storePath: storePath)
        let wanted = query.traceIDs.map(Set.init)
        let blobs = try db.makeStatement(sql: "SELECT stacks, contexts, samples FROM window WHERE id = ?")
        let screen = try TraceScreen(db: db)
        for run in runs {
            if let wanted, try !screen.mayHold(wanted, window: run.id, reader: self) { continue }
            guard let row = try Row.fetchOne(blobs, arguments: [run.id.rawValue]) else { continue }
            let shift = shifts[run.id] ?? 0
            // An in-use sample's time is its allocation's, often before the range: live at the snapshot, it counts.
            let wallRange = query.sampleTimeNs == nil && run.monotonicStartNs > 0 && run.kind != .inuse ? query.runs.overlappingUnixNs : nil
            let wallOffset = run.startUnixNs &- run.monotonicStartNs
            let packed = WindowCodec.Packed(stacks: try blob(row, "stacks", of: run.id), contexts: try blob(row, "contexts", of: run.id),
                                            samples: try blob(row, "samples", of: run.id))
            do {
                let storeStacks = try WindowCodec.storeStacks(packed.stacks)
                var local = [Int?](repeating: nil, count: storeStacks.count)
                try WindowCodec.unpack(packed, withObjects: run.kind.isMemory) { entry in
                    guard Self.matches(entry, query: query, wanted: wanted) else { return }
                    if let wallRange, let time = entry.timestampNs, !wallRange.contains(time &+ wallOffset) { return }
                    let id: Int
                    if let known = local[entry.stack] {
                        id = known
                    } else {
                        id = try stacks.profileStackID(storeStackID: storeStacks[entry.stack], into: &profile)
                        local[entry.stack] = id
                    }
                    profile.add(stackID: id, value: entry.value, objects: entry.objects, labels: SampleLabels(
                        traceID: entry.traceID, spanID: entry.spanID, pid: entry.pid, tid: entry.tid, timestampNs: entry.timestampNs.map { $0 &+ shift }))
                }
            } catch let malformed as WindowCodec.Malformed {
                throw FlamelabError.storeRead(storePath, "window \(run.id) has a malformed \(malformed.what)")
            }
        }
        return profile
    }

    /// An in-use window holds what was live at its end, not what happened during it: summing several
    /// would count a long-lived allocation once per window. So of the in-use windows selected, only each
    /// host's latest snapshot is read (every process's window of that cut, which share its end):
    /// "what was in use at the end of the range". A diff of two ranges is then the growth between
    /// their ends. Other kinds are returned unchanged.
    static func latestSnapshots(_ runs: [StoredRun]) -> [StoredRun] {
        guard runs.contains(where: { $0.kind == .inuse }) else { return runs }
        var latest: [String: UInt64] = [:]
        for run in runs where run.kind == .inuse { latest[run.host] = max(latest[run.host] ?? 0, run.endUnixNs) }
        return runs.filter { $0.kind != .inuse || $0.endUnixNs == latest[$0.host] }
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
        if anchor.monotonicStartNs > back, metadata.startUnixNs > 0 {
            metadata.monotonicStartNs = anchor.monotonicStartNs - back
        } else {
            // Untimed (downsampled) windows start long before the anchor's clock began (a reboot since):
            // the profile starts at the anchor window, so that its samples keep their wall times.
            metadata.startUnixNs = anchor.startUnixNs
            metadata.monotonicStartNs = anchor.monotonicStartNs
        }
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
        var metadata = ProfileMetadata(
            kind: first.kind,
            hz: shared(\.hz, otherwise: 0),
            unwindMode: shared(\.unwindMode, otherwise: nil),
            service: shared(\.service, otherwise: nil),
            version: shared(\.version, otherwise: nil),
            startUnixNs: runs.map(\.startUnixNs).min() ?? 0,
            endUnixNs: runs.map(\.endUnixNs).max() ?? 0,
            monotonicStartNs: runs.count == 1 ? first.monotonicStartNs : 0,
            dropped: runs.windowLosses.dropped)
        metadata.samplingPeriod = shared(\.period, otherwise: nil)
        return metadata
    }

    /// One of a window's blobs; NULL or another type in a tampered row is a read error.
    func blob(_ row: Row, _ column: String, of run: RunID) throws -> [UInt8] {
        guard let data = try? row.decode(Data?.self, forColumn: column) else {
            throw FlamelabError.storeRead(storePath, "window \(run) has no \(column) blob")
        }
        return [UInt8](data)
    }

    /// A window's description; a tampered row (NULL or mistyped cell) is a read error naming the
    /// store, never a trap.
    func storedRun(_ row: Row) throws -> StoredRun {
        do {
            return try decodeRun(row)
        } catch let error as FlamelabError {
            throw error
        } catch {
            throw FlamelabError.storeRead(storePath, "a window row is malformed (\(error))")
        }
    }

    private func decodeRun(_ row: Row) throws -> StoredRun {
        let id: Int64 = try row.decode(forColumn: "id")
        let kindName: String = try row.decode(forColumn: "kind")
        guard let kind = ProfileKind(rawValue: kindName) else {
            throw FlamelabError.storeRead(storePath, "window \(id) has unknown kind \"\(kindName)\"")
        }
        func time(_ column: String) throws -> UInt64 { UInt64(max(0, try row.decode(Int64.self, forColumn: column))) }
        let pid: Int64? = try row.decode(forColumn: "pid")
        var run = try StoredRun(
            id: RunID(id), service: row.decode(forColumn: "service"), version: row.decode(forColumn: "version"),
            pid: pid.map { Int32(truncatingIfNeeded: $0) }, kind: kind, hz: row.decode(forColumn: "hz"),
            unwindMode: UnwindMode(rawValue: row.decode(String.self, forColumn: "unwind_mode")),
            startUnixNs: time("start_unix_ns"), endUnixNs: time("end_unix_ns"), monotonicStartNs: time("monotonic_start_ns"),
            dropped: row.decode(forColumn: "dropped"), unreadable: row.decode(forColumn: "unreadable"), host: row.decode(forColumn: "host"),
            command: row.decode(forColumn: "command"), sampleCount: row.decode(forColumn: "sample_count"),
            totalValue: row.decode(forColumn: "total_value"), traced: row.decode(Int64.self, forColumn: "traced") != 0)
        run.period = try row.decode(forColumn: "period")
        return run
    }
}
