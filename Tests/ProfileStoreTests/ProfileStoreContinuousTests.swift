import Foundation
import GRDB
import ProfileModel
import ProfileStore
import Testing

/// What a store written for hours needs: bounded size, one writer, foreign files refused, windows
/// queried by time and labels.
@Suite struct ProfileStoreContinuousTests {
    /// `count` windows of `samples` samples each, 10 s apart, ending at `endUnixNs`.
    static func fill(_ store: ProfileStore, windows count: Int, samples: Int, endUnixNs: UInt64, version: String = "v1") throws {
        for w in 0..<count {
            var profile = SyntheticProfile(sampleCount: samples, distinctStacks: 300, seed: UInt64(w + 1)).make()
            let end = endUnixNs - UInt64(count - 1 - w) * 10_000_000_000
            profile.metadata.startUnixNs = end - 10_000_000_000
            profile.metadata.endUnixNs = end
            profile.metadata.version = version
            try store.write(profile, command: "shop")
        }
    }

    @Test("retention: the store stays under its size limit, oldest windows downsampled then deleted, old ones aged out")
    func retentionBoundsTheFile() throws {
        let fixture = try StoreFixture()
        let store = try fixture.openStore()
        let now: UInt64 = 1_800_000_000_000_000_000
        try Self.fill(store, windows: 60, samples: 4_000, endUnixNs: now)
        let full = try store.dataBytes()
        let limit = full / 3
        let policy = RetentionPolicy(maxAgeNs: 500_000_000_000, maxBytes: limit, fullDetailNs: 100_000_000_000)
        let report = try store.applyRetention(policy, nowUnixNs: now, budgetSeconds: 600)
        #expect(report.bytesBefore >= full)
        #expect(!report.unfinished)
        let after = try store.dataBytes()
        #expect(after <= limit, "store data \(after) bytes after retention, limit \(limit) (was \(full))")
        let runs = try store.runs()
        #expect(runs.allSatisfy { $0.endUnixNs >= now - 500_000_000_000 }, "windows older than 500 s are gone")
        #expect(report.deletedWindows > 0)
        #expect(try store.integrityCheck() == "ok")
        // Older windows were downsampled before the oldest were deleted; what is left still reads,
        // and downsampled windows left keep their values without ids (deletion may have taken them all).
        #expect(report.mergedWindows > 0, "nothing was downsampled before deleting")
        let merged = runs.filter { !$0.traced }
        if !merged.isEmpty {
            let profile = try store.profile(query: .runs(merged.map(\.id)))
            #expect(profile.totalValue > 0 && profile.samples.allSatisfy { $0.labels.traceID == nil })
        }
    }

    @Test("downsampling merges windows of one set of labels and keeps their totals")
    func downsamplingKeepsTotals() throws {
        let fixture = try StoreFixture()
        let store = try fixture.openStore()
        let now: UInt64 = 1_800_000_000_000_000_000
        try Self.fill(store, windows: 12, samples: 2_000, endUnixNs: now)
        let before = try store.profile(query: ProfileQuery()).totalValue
        // A limit just under the current size: one round of merges is enough. The last 30 s (3
        // windows) keep full detail.
        let policy = RetentionPolicy(maxBytes: try store.dataBytes() - 1, mergeFactor: 6, fullDetailNs: 30_000_000_000)
        let report = try store.applyRetention(policy, nowUnixNs: now, budgetSeconds: 600)
        #expect(report.mergedWindows >= 6)
        let after = try store.profile(query: ProfileQuery()).totalValue
        #expect(report.deletedWindows > 0 || after == before, "merging alone keeps every sample's value: \(after) vs \(before)")
    }

    @Test("the recent past keeps its trace ids: only windows older than the full-detail age are downsampled")
    func recentWindowsKeepFullDetail() throws {
        let fixture = try StoreFixture()
        let store = try fixture.openStore()
        let now: UInt64 = 1_800_000_000_000_000_000
        try Self.fill(store, windows: 12, samples: 2_000, endUnixNs: now)
        let recentEdge = now - 60_000_000_000
        let policy = RetentionPolicy(maxBytes: try store.dataBytes() / 2, mergeFactor: 3, fullDetailNs: 60_000_000_000)
        let report = try store.applyRetention(policy, nowUnixNs: now, budgetSeconds: 600)
        #expect(report.mergedWindows > 0)
        let runs = try store.runs()
        let recent = runs.filter { $0.endUnixNs >= recentEdge }
        #expect(!recent.isEmpty && recent.allSatisfy(\.traced), "windows of the last minute were downsampled")
        #expect(runs.filter { !$0.traced }.allSatisfy { $0.endUnixNs < recentEdge })
    }

    @Test("one writer: a second lock on the same store is refused with a clear error")
    func secondWriterIsRefused() throws {
        let fixture = try StoreFixture()
        let first = try StoreLock(storePath: fixture.storePath)
        #expect {
            _ = try StoreLock(storePath: fixture.storePath)
        } throws: { "\($0)".contains("another agent (pid \(getpid()))") }
        _ = first
    }

    @Test("a foreign SQLite file is refused with its path and reason, and left untouched")
    func foreignDatabaseIsRefused() throws {
        let fixture = try StoreFixture()
        let queue = try DatabaseQueue(path: fixture.storePath)
        try queue.write { try $0.execute(sql: "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)") }
        #expect {
            _ = try ProfileStore(path: fixture.storePath)
        } throws: { "\($0)".contains(fixture.storePath) && "\($0)".contains("not a flamelab profile store") && "\($0)".contains("invoices") }
        let tables = try queue.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") }
        #expect(tables == ["invoices"])
        // Untouched: still in its own journal mode (not switched to WAL).
        #expect(try queue.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } != "wal")
    }

    @Test("windows are selected by wall-clock range and labels; an impossible range is an input error")
    func selectionsByTimeAndLabels() throws {
        let fixture = try StoreFixture()
        let store = try fixture.openStore()
        let now: UInt64 = 1_800_000_000_000_000_000
        try Self.fill(store, windows: 6, samples: 500, endUnixNs: now - 60_000_000_000, version: "v1")
        try Self.fill(store, windows: 6, samples: 500, endUnixNs: now, version: "v2")
        let lastMinute = StoreSelection.last(60, nowUnixNs: now)
        let recent = try store.profile(query: try lastMinute.query())
        #expect(recent.samples.count == 6 * 500 || recent.samples.count == 7 * 500, "the last minute holds the v2 windows (and the one v1 window ending at its edge)")
        var v1 = StoreSelection(version: "v1")
        v1.fromUnixNs = 0
        #expect(try store.profile(query: try v1.query()).samples.count == 6 * 500)
        let backwards = StoreSelection(fromUnixNs: now, toUnixNs: now - 1)
        #expect(throws: FlamelabError.self) { try backwards.query() }
        let future = StoreSelection(fromUnixNs: now + 3_600_000_000_000, toUnixNs: now + 7_200_000_000_000)
        #expect(try store.profile(query: try future.query()).samples.isEmpty)
        #expect(throws: FlamelabError.self) { try StoreSelection.parse("colour=blue") }
        #expect(throws: FlamelabError.self) { try StoreSelection.parse("kind=heap") }
        #expect(try StoreSelection.parse("version=v2,kind=offcpu") == StoreSelection(version: "v2", kind: .offcpu))
    }

    @Test("a diff side keeps the range and labels it does not name, and may carry its own range")
    func sidesOverrideOnlyWhatTheyName() throws {
        let base = StoreSelection(fromUnixNs: 100_000_000_000, toUnixNs: 200_000_000_000, service: "shop", version: "v1")
        let v2 = try base.overridden(by: "version=v2")
        #expect(v2 == StoreSelection(fromUnixNs: 100_000_000_000, toUnixNs: 200_000_000_000, service: "shop", version: "v2"))
        let earlier = try base.overridden(by: "from=10,to=20.5")
        #expect(earlier.fromUnixNs == 10_000_000_000 && earlier.toUnixNs == 20_500_000_000 && earlier.version == "v1")
        #expect(throws: FlamelabError.self) { try base.overridden(by: "from=yesterday") }
        #expect(throws: FlamelabError.self) { try base.overridden(by: "to=-1") }
        #expect(throws: FlamelabError.self) { try base.overridden(by: "from=30,to=20").query() }
    }
}
