import Foundation
import GRDB
import ProfileModel

/// The profile store: an SQLite file (WAL mode, owner-only permissions) holding runs, interned
/// frames and stacks, and samples with their trace/span ids.
///
/// One writer at a time: a second writer waits up to `busyTimeout` seconds, then gets a clear
/// error. Readers never wait for the writer (WAL).
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

    /// Opens the store at `path`, creating it (mode 0600) and its tables when missing.
    ///
    /// Throws `FlamelabError`, e.g. `failed to open profile store X: file is not a database`.
    public init(path: String, busyTimeout: Double = 5) throws {
        self.path = path
        self.busyTimeout = busyTimeout
        try StoreFile.prepare(path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "ProfileStore"
        configuration.prepareDatabase { db in
            // A larger page cache keeps the sample indexes' hot pages in memory while a run of
            // ~1 M samples is inserted (the default 2 MiB thrashes on the random trace index).
            try db.execute(sql: "PRAGMA cache_size = -32768")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrateIfNeeded(pool, path: path)
            try StoreFile.makePrivate(path)
        } catch let error as DatabaseError {
            throw FlamelabError.storeOpen(path, Self.reason(error, busyTimeout: busyTimeout))
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
        let run = StoredRun(
            id: RunID(0), service: service ?? metadata.service, version: version ?? metadata.version,
            kind: metadata.kind, hz: metadata.hz, unwindMode: metadata.unwindMode,
            startUnixNs: metadata.startUnixNs, endUnixNs: metadata.endUnixNs, monotonicStartNs: metadata.monotonicStartNs, dropped: metadata.dropped,
            host: host, command: Self.programName(command),
            sampleCount: Int64(profile.samples.count), totalValue: profile.totalValue)
        return try writing { db in
            try ProfileWriter(db: db, storePath: path).insert(profile, run: run)
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

    /// The distinct trace ids seen in a run's samples, sorted.
    public func traceIDs(run: RunID) throws -> [TraceID] {
        try reading { try ProfileReader(db: $0, storePath: path).traceIDs(run: run) }
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

    private func writing<T>(_ body: (Database) throws -> T) throws -> T {
        try writingWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return .commit
            }
            return result!
        }
    }

    private func writingWithoutTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.writeWithoutTransaction(body)
        } catch let error as DatabaseError {
            throw FlamelabError.storeWrite(path, Self.reason(error, busyTimeout: busyTimeout))
        }
    }

    private func reading<T>(_ body: (Database) throws -> T) throws -> T {
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
