import Foundation
import GRDB
import ProfileModel

/// The store's tables, created and upgraded by GRDB's migrator.
///
/// Sized for continuous profiling (hours of samples): one row per window (a profile of one kind
/// and one set of labels over a stretch of time), its samples packed into blobs (`WindowCodec`);
/// frames and stacks interned once per store, a stack being a varint blob of frame ids (root
/// first), unique by hash and content. v1 stored a row per sample (73 bytes each); v3 converts
/// those runs into windows.
enum StoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try createRunTable(db)
            try createFrameTable(db)
            try createStackTable(db)
            try createSampleTable(db)
        }
        // The monotonic clock at the run's start: samples carry monotonic times, this places them on wall time.
        migrator.registerMigration("v2-monotonic-anchor") { db in
            try db.execute(sql: "ALTER TABLE run ADD COLUMN monotonic_start_ns INTEGER NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v3-windows") { db in
            try createWindowTable(db)
            try convertRunsToWindows(db)
            try db.execute(sql: "DROP TABLE sample; DROP TABLE run")
        }
        migrator.registerMigration("v4-trace-filters") { db in
            // A window without a filter (one converted from runs, or merged) is searched by its id table.
            try db.execute(sql: """
                CREATE TABLE window_trace_filter (window_id INTEGER PRIMARY KEY, filter BLOB NOT NULL);
                CREATE TRIGGER window_trace_filter_follows AFTER DELETE ON window BEGIN
                    DELETE FROM window_trace_filter WHERE window_id = old.id;
                END;
                """)
        }
        // The sampling period of kinds sampled by count (page faults): without it a faults window
        // cannot say how many faults a sample stands for.
        migrator.registerMigration("v5-sample-period") { db in
            try db.execute(sql: "ALTER TABLE window ADD COLUMN period INTEGER")
        }
        return migrator
    }

    /// The tables a flamelab store has; a database with others is someone else's.
    static let ownTables: Set<String> = ["window", "window_trace_filter", "frame", "stack", "grdb_migrations", "run", "sample", "sqlite_sequence"]

    /// One row per window. No environment, no process arguments: `command` is a name.
    /// `traced` is 0 for windows merged by retention (their samples keep stacks and values only).
    private static func createWindowTable(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE window (
                id INTEGER PRIMARY KEY,
                host TEXT NOT NULL,
                service TEXT,
                version TEXT,
                pid INTEGER,
                command TEXT NOT NULL,
                kind TEXT NOT NULL,
                hz INTEGER NOT NULL,
                unwind_mode TEXT NOT NULL,
                start_unix_ns INTEGER NOT NULL,
                end_unix_ns INTEGER NOT NULL,
                monotonic_start_ns INTEGER NOT NULL,
                dropped INTEGER NOT NULL,
                unreadable INTEGER NOT NULL,
                sample_count INTEGER NOT NULL,
                total_value INTEGER NOT NULL,
                traced INTEGER NOT NULL,
                stacks BLOB NOT NULL,
                contexts BLOB NOT NULL,
                samples BLOB NOT NULL
            );
            CREATE INDEX window_by_end ON window(end_unix_ns);
            CREATE INDEX window_traced_by_end ON window(end_unix_ns) WHERE traced = 1;
            CREATE INDEX window_by_labels ON window(service, version, kind, end_unix_ns, start_unix_ns, sample_count);
            """)
    }

    /// v1/v2 stores: each run becomes one window with the same id, its samples packed.
    private static func convertRunsToWindows(_ db: Database) throws {
        let runs = try Row.fetchAll(db, sql: "SELECT * FROM run ORDER BY id")
        let samples = try db.makeStatement(sql: """
            SELECT stack_id, time_ns, value, trace_id, span_id, pid, tid FROM sample WHERE run_id = ? ORDER BY time_ns, rowid
            """)
        for run in runs {
            let id: Int64 = run["id"]
            var stacks = FirstSeenIndex<Int64>()
            var entries: [WindowCodec.Entry] = []
            let rows = try Row.fetchCursor(samples, arguments: [id])
            while let row = try rows.next() {
                let stack: Int64 = row["stack_id"]
                let local = stacks.position(of: stack)
                let time: Int64? = row["time_ns"]
                let trace: Data? = row["trace_id"]
                let span: Int64? = row["span_id"]
                let pid: Int64? = row["pid"], tid: Int64? = row["tid"]
                entries.append(WindowCodec.Entry(
                    stack: local, value: row["value"], traceID: trace.flatMap { TraceID(bytes: $0) },
                    spanID: span.flatMap { SpanID(UInt64(bitPattern: $0)) }, pid: pid.map { Int32(truncatingIfNeeded: $0) },
                    tid: tid.map { Int32(truncatingIfNeeded: $0) }, timestampNs: time.map { UInt64(max(0, $0)) }))
            }
            let packed = try WindowCodec.pack(storeStacks: stacks.values, entries: entries)
            let pids = Set(entries.compactMap(\.pid))
            try db.execute(sql: """
                INSERT INTO window (id, host, service, version, pid, command, kind, hz, unwind_mode, start_unix_ns, end_unix_ns,
                                    monotonic_start_ns, dropped, unreadable, sample_count, total_value, traced, stacks, contexts, samples)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, 1, ?, ?, ?)
                """, arguments: [id, run["host"], run["service"], run["version"], pids.count == 1 ? pids.first.map { Int64($0) } : nil,
                                 run["command"], run["kind"], run["hz"], run["unwind_mode"], run["start_unix_ns"], run["end_unix_ns"],
                                 run["monotonic_start_ns"], run["dropped"], run["sample_count"], run["total_value"],
                                 Data(packed.stacks), Data(packed.contexts), Data(packed.samples)])
        }
    }

    // MARK: v1 tables (kept so that older stores migrate)

    private static func createRunTable(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE run (
                id INTEGER PRIMARY KEY, service TEXT, version TEXT, kind TEXT NOT NULL, hz INTEGER NOT NULL,
                unwind_mode TEXT NOT NULL, start_unix_ns INTEGER NOT NULL, end_unix_ns INTEGER NOT NULL, dropped INTEGER NOT NULL,
                host TEXT NOT NULL, command TEXT NOT NULL, sample_count INTEGER NOT NULL, total_value INTEGER NOT NULL
            );
            """)
    }

    /// Frames are unique by all their fields; the expression index makes NULL file/line
    /// compare equal (plain UNIQUE would let NULLs repeat).
    private static func createFrameTable(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE frame (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                module TEXT NOT NULL,
                kind TEXT NOT NULL,
                file TEXT,
                line INTEGER
            );
            CREATE UNIQUE INDEX frame_identity
                ON frame(name, module, kind, ifnull(file, char(0)), ifnull(line, -1));
            """)
    }

    /// `frames` is `StackBlob`; `hash` is its FNV-1a, so lookups compare a short key first.
    private static func createStackTable(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE stack (
                id INTEGER PRIMARY KEY,
                hash INTEGER NOT NULL,
                frames BLOB NOT NULL
            );
            CREATE UNIQUE INDEX stack_identity ON stack(hash, frames);
            """)
    }

    private static func createSampleTable(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE sample (
                run_id INTEGER NOT NULL, stack_id INTEGER NOT NULL, time_ns INTEGER, value INTEGER NOT NULL,
                trace_id BLOB, span_id INTEGER, pid INTEGER, tid INTEGER
            );
            """)
    }
}
