import Foundation
import GRDB
import ProfileModel
import Synchronization

/// The profile store: an SQLite file (WAL mode, owner-only permissions) holding windows (one
/// recorded profile each: a `lab record` run or one of `lab agent`'s windows) with their samples
/// packed, and the frames and stacks they share.
///
/// One writer at a time: a second writer waits up to `busyTimeout` seconds, then gets a clear
/// error (a long-lived writer also takes `StoreLock`). Readers never wait for the writer (WAL).
///
/// ```swift
/// let store = try ProfileStore(path: "results/profiles.sqlite")
/// let run = try store.write(profile, service: "shop", version: "v2")
/// let slow = try store.profile(query: .runs([run], traceIDs: ["4bf92f3577b34da6a3ce929d0e0e4736"]))
/// ```
public final class ProfileStore: Sendable {
    /// The database file.
    public let path: String
    /// Seconds a writer waits for another writer before giving up.
    public let busyTimeout: Double
    let pool: DatabasePool
    private let cache = Mutex(InternCache())

    /// SQLite's page cache per connection for readers and one-shot writers: a flame graph over an
    /// hour reads some 10 MiB of windows, and a second look at the same range should not read them again.
    public static let readerPageCacheKiB = 32768
    /// The same for a long-lived writer (`lab agent`), which appends a window and forgets it: the
    /// cache holds what the writes touched, so at the readers' size it would grow with the file
    /// up to 32 MiB per connection (measured: +0.7 MiB per 2 minutes of soak).
    public static let writerPageCacheKiB = 1024

    /// Opens the store at `path`, creating it (mode 0600) and its tables when missing.
    /// `pageCacheKiB` bounds SQLite's page cache of each connection.
    ///
    /// Throws `FlamelabError`, e.g. `failed to open profile store X: file is not a database`.
    public init(path: String, busyTimeout: Double = 5, pageCacheKiB: Int = ProfileStore.readerPageCacheKiB) throws {
        self.path = path
        self.busyTimeout = busyTimeout
        try StoreFile.refuseUnreachable(path)
        try Self.refuseForeignFile(path, busyTimeout: busyTimeout)
        try StoreFile.prepare(path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "ProfileStore"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA cache_size = -\(pageCacheKiB)")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.refuseForeign(pool, path: path)
            try Self.migrateIfNeeded(pool, path: path)
            try Self.enableIncrementalVacuum(pool)
            try StoreFile.makePrivate(path)
        } catch let error as DatabaseError {
            throw FlamelabError.storeOpen(path, Self.reason(error, busyTimeout: busyTimeout))
        }
    }

    /// Opens a store that must exist already (readers: `lab query`, `lab serve`, a store canary);
    /// a missing file is an input error naming it instead of a new empty store.
    public convenience init(existing path: String, busyTimeout: Double = 5) throws {
        try Self.requireExisting(path)
        try self.init(path: path, busyTimeout: busyTimeout)
    }

    /// Throws `failed to open profile store X: no such file (...)` when there is no file at `path`.
    public static func requireExisting(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw FlamelabError.failed("open", "profile store \(path)", "no such file (run `lab agent` or `lab record -o store` first, or pass --store)",
                                       code: .input)
        }
    }

    /// Stores `profile` as a new run, in one transaction, and returns the run's id.
    ///
    /// `service` and `version` override the profile's metadata when given. `command` is the
    /// profiled program's name: only the base name of its first word is kept, so no arguments
    /// are ever stored. Trace ids are kept as 16-byte blobs, span ids as integers.
    @discardableResult
    public func write(_ profile: Profile, service: String? = nil, version: String? = nil,
                      host: String = ProfileStore.hostName(), command: String = "") throws -> RunID {
        let metadata = profile.metadata
        var run = StoredRun(
            id: RunID(0), service: service ?? metadata.service, version: version ?? metadata.version,
            kind: metadata.kind, hz: metadata.hz, unwindMode: metadata.unwindMode,
            startUnixNs: metadata.startUnixNs, endUnixNs: metadata.endUnixNs, monotonicStartNs: metadata.monotonicStartNs, dropped: metadata.dropped,
            host: host, command: Self.programName(command),
            sampleCount: Int64(profile.samples.count), totalValue: profile.totalValue)
        run.period = metadata.samplingPeriod
        return try write(profile, as: run)
    }

    /// Stores `profile` as a new window described by `run` (its id and counts are taken from the
    /// store and the profile), in one transaction, and returns the window's id.
    @discardableResult
    public func write(_ profile: Profile, as run: StoredRun) throws -> RunID {
        try writeAll([(profile, run)])[0]
    }

    /// Stores several windows in one transaction (all or none): one agent window's rows.
    @discardableResult
    public func writeAll(_ windows: [(profile: Profile, run: StoredRun)]) throws -> [RunID] {
        try cache.withLock { cache in
            do {
                let ids = try writing { db in
                    try windows.map { window in
                        var run = window.run
                        run.command = Self.programName(run.command)
                        return try ProfileWriter(db: db, storePath: path).insert(window.profile, run: run, cache: &cache)
                    }
                }
                cache.commit()
                return ids
            } catch {
                cache.rollback()
                throw error
            }
        }
    }

    /// Stored runs matching `filter`, oldest first.
    public func runs(filter: RunFilter = RunFilter()) throws -> [StoredRun] {
        try reading { try ProfileReader(db: $0, storePath: path).runs(filter) }
    }

    /// The samples selected by `query`, from all matching runs, merged into one profile.
    ///
    /// Samples come ordered by run, then time (untimed samples first), then insertion. Runs of different kinds are refused (their values
    /// have different units); an empty selection gives an empty profile.
    public func profile(query: ProfileQuery) throws -> Profile {
        try reading { try ProfileReader(db: $0, storePath: path).profile(query) }
    }

    /// Windows matching `filter` summed per service, version and kind, newest data first.
    public func summaries(filter: RunFilter = RunFilter()) throws -> [WindowSummary] {
        try reading { try ProfileReader(db: $0, storePath: path).summaries(filter) }
    }

    /// The distinct trace ids seen in a run's samples, sorted.
    public func traceIDs(run: RunID) throws -> [TraceID] {
        try reading { try ProfileReader(db: $0, storePath: path).traceIDs(run: run) }
    }

    /// Drops the cache of interned ids (after garbage collection deleted some).
    func forgetInternedIDs() {
        cache.withLock { $0 = InternCache() }
    }

    /// `PRAGMA integrity_check`: "ok" for a sound file, else SQLite's findings.
    public func integrityCheck() throws -> String {
        try reading { try String.fetchAll($0, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }

    /// Bytes on disk: the database file and its write-ahead log.
    public var sizeBytes: Int64 { StoreFile.size(path) + StoreFile.size(path + "-wal") }

    /// Gives the store's files to `uid`/`gid` (mode stays 0600): see `SudoUser`.
    public func handOver(toUID uid: UInt32, gid: UInt32) throws {
        try StoreFile.handOver(path, toUID: uid, gid: gid)
    }

    /// SQLite's journal mode for this store (`wal` once opened).
    public func journalMode() throws -> String {
        try reading { try String.fetchOne($0, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// Moves the write-ahead log into the database file and truncates it, so the file's size is
    /// the data's size.
    public func checkpoint() throws {
        _ = try writingWithoutTransaction { try $0.checkpoint(.truncate) }
    }

    // MARK: - helpers

    /// Deleted windows give their pages back to the file system (retention keeps the file bounded).
    /// SQLite switches auto-vacuum on only through a VACUUM once tables exist: done once per store
    /// (instant on a new one).
    private static func enableIncrementalVacuum(_ pool: DatabasePool) throws {
        let mode = try pool.read { try Int.fetchOne($0, sql: "PRAGMA auto_vacuum") ?? 0 }
        guard mode != 2 else { return }
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
            try db.execute(sql: "VACUUM")
        }
    }

    /// A database that holds tables of its own is someone else's: refused, not migrated into.
    /// An existing database that is not a flamelab store is refused through a read-only connection,
    /// before anything touches it: no chmod, no switch to WAL.
    private static func refuseForeignFile(_ path: String, busyTimeout: Double) throws {
        // Not a regular file (a directory, say): `StoreFile.prepare` names what it is instead.
        guard StoreFile.isRegularFile(path), StoreFile.size(path) > 0 else { return }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeout)
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            let tables = try queue.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") }
            try refuse(tables: tables, path: path)
        } catch let error as DatabaseError {
            throw FlamelabError.storeOpen(path, Self.reason(error, busyTimeout: busyTimeout))
        }
    }

    private static func refuse(tables: [String], path: String) throws {
        let foreign = tables.filter { !StoreSchema.ownTables.contains($0) }
        if !foreign.isEmpty {
            throw FlamelabError.storeOpen(path, "it is not a flamelab profile store (it holds the tables \(foreign.sorted().prefix(5).joined(separator: ", ")))")
        }
    }

    private static func refuseForeign(_ pool: DatabasePool, path: String) throws {
        try refuse(tables: try pool.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") }, path: path)
    }

    private static func migrateIfNeeded(_ pool: DatabasePool, path: String) throws {
        let migrator = StoreSchema.migrator
        // Checking in a read first means opening never waits for another process's writes.
        let state = try pool.read { db in
            (done: try migrator.hasCompletedMigrations(db), newer: try migrator.hasBeenSuperseded(db))
        }
        if state.newer {
            throw FlamelabError.storeOpen(path, "it was written by a newer flamelab (unknown schema migrations)")
        }
        if !state.done {
            try migrator.migrate(pool)
        }
    }

    func writing<T>(_ body: (Database) throws -> T) throws -> T {
        try writingWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return .commit
            }
            return result!
        }
    }

    func writingWithoutTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.writeWithoutTransaction(body)
        } catch let error as DatabaseError {
            throw FlamelabError.storeWrite(path, Self.reason(error, busyTimeout: busyTimeout))
        }
    }

    func reading<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
        } catch let error as DatabaseError {
            throw FlamelabError.storeRead(path, Self.reason(error, busyTimeout: busyTimeout))
        }
    }

    /// A person's reason for an SQLite failure.
    static func reason(_ error: DatabaseError, busyTimeout: Double) -> String {
        switch error.resultCode {
        case .SQLITE_NOTADB: return "file is not a database"
        case .SQLITE_CORRUPT: return "the file is corrupt (database disk image is malformed)"
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return "it is held by another writer (gave up after waiting \(busyTimeout) s)"
        case .SQLITE_CANTOPEN: return "cannot open the file (is its directory writable?)"
        case .SQLITE_READONLY: return "the file is read-only"
        case .SQLITE_FULL: return "the disk is full"
        default: return error.message ?? "SQLite error \(error.resultCode.rawValue)"
        }
    }

    /// This machine's name (gethostname: no DNS lookup, unlike Foundation's `hostName`).
    public static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "" }
        return String(cString: buffer)
    }

    /// The base name of a command's first word: never its arguments.
    static func programName(_ command: String) -> String {
        let first = command.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first.map(String.init) ?? ""
        return (first as NSString).lastPathComponent
    }
}
