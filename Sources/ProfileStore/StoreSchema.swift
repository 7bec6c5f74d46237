import GRDB

/// The store's tables, created and upgraded by GRDB's migrator.
///
/// Sizes were chosen for ~1 M samples per hour: a sample row holds small integers, the trace id
/// as a 16-byte blob and the span id as one integer; frames and stacks are interned once per
/// store, a stack being a varint blob of frame ids (root first), unique by hash and content.
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
        return migrator
    }

    /// One row per recorded profile. No environment, no process arguments: `command` is a name.
    private static func createRunTable(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE run (
                id INTEGER PRIMARY KEY,
                service TEXT,
                version TEXT,
                kind TEXT NOT NULL,
                hz INTEGER NOT NULL,
                unwind_mode TEXT NOT NULL,
                start_unix_ns INTEGER NOT NULL,
                end_unix_ns INTEGER NOT NULL,
                dropped INTEGER NOT NULL,
                host TEXT NOT NULL,
                command TEXT NOT NULL,
                sample_count INTEGER NOT NULL,
                total_value INTEGER NOT NULL
            );
            CREATE INDEX run_by_service_version_kind ON run(service, version, kind);
            CREATE INDEX run_by_start ON run(start_unix_ns);
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

    /// Samples reference their run and stack by id. Foreign keys are left out on purpose: they
    /// cost two lookups per inserted row; the writer inserts samples only for ids it just made.
    private static func createSampleTable(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE sample (
                run_id INTEGER NOT NULL,
                stack_id INTEGER NOT NULL,
                time_ns INTEGER,
                value INTEGER NOT NULL,
                trace_id BLOB,
                span_id INTEGER,
                pid INTEGER,
                tid INTEGER
            );
            CREATE INDEX sample_by_run_time ON sample(run_id, time_ns);
            CREATE INDEX sample_by_trace ON sample(trace_id) WHERE trace_id IS NOT NULL;
            """)
    }
}
