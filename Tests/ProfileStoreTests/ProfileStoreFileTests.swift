import FlamelabTesting
import Foundation
import GRDB
import ProfileModel
import ProfileStore
import Testing

@Suite struct ProfileStoreFileTests {
    @Test("a store handed to another user (sudo lab agent) changes owner and stays 0600, lock included", .requiresRoot)
    func handOverKeepsTheStorePrivate() throws {
        let fixture = try StoreFixture()
        let lock = try StoreLock(storePath: fixture.storePath)
        let store = try fixture.openStore()
        try store.write(StoreFixture.sampleProfile())
        let nobody: UInt32 = 65_534
        try store.handOver(toUID: nobody, gid: nobody)
        for file in [fixture.storePath, fixture.storePath + "-wal", fixture.storePath + ".lock"] {
            var info = stat()
            #expect(lstat(file, &info) == 0, "\(file) is missing")
            #expect(info.st_uid == nobody, "\(file) belongs to uid \(info.st_uid)")
            #expect(info.st_mode & 0o077 == 0, "\(file) has mode \(String(info.st_mode & 0o777, radix: 8))")
        }
        _ = lock
    }

    private func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int)
    }

    /// A plain connection that may keep a transaction open between accesses, as another
    /// process's writer would.
    private func holdingConnection(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    @Test func theDatabaseAndItsWALFilesArePrivate() throws {
        let fixture = try StoreFixture()
        let previous = umask(0o022)
        defer { umask(previous) }
        let store = try fixture.openStore()
        try store.write(StoreFixture.sampleProfile())

        for file in [fixture.storePath, fixture.storePath + "-wal", fixture.storePath + "-shm"] {
            #expect(FileManager.default.fileExists(atPath: file), "\(file) should exist while the store is open")
            #expect(try mode(file) == 0o600, "\(file)")
        }
    }

    @Test func anExistingWorldReadableStoreIsMadePrivate() throws {
        let fixture = try StoreFixture()
        _ = FileManager.default.createFile(atPath: fixture.storePath, contents: nil, attributes: [.posixPermissions: 0o644])

        _ = try fixture.openStore()

        #expect(try mode(fixture.storePath) == 0o600)
    }

    @Test func walModeIsOn() throws {
        let fixture = try StoreFixture()
        let store = try fixture.openStore()

        #expect(try store.journalMode() == "wal")
    }

    @Test func aCorruptFileGivesAClearError() throws {
        let fixture = try StoreFixture()
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try garbage.write(to: URL(fileURLWithPath: fixture.storePath))

        let error = #expect(throws: FlamelabError.self) { try fixture.openStore() }

        #expect(error?.description == "failed to open profile store \(fixture.storePath): file is not a database")
    }

    @Test("a tampered window row (a mistyped cell) is a read error naming the store, not a trap")
    func aTamperedRowGivesAClearError() throws {
        let fixture = try StoreFixture()
        let store = try fixture.openStore()
        try store.write(StoreFixture.sampleProfile())
        let queue = try holdingConnection(fixture.storePath)
        try queue.write { try $0.execute(sql: "UPDATE window SET hz = 'fast'") }
        let mistyped = #expect(throws: FlamelabError.self) { try store.runs() }
        #expect(mistyped?.description.contains(fixture.storePath) == true)
        #expect(mistyped?.description.contains("malformed") == true)
    }

    @Test func aMissingDirectoryGivesAClearError() throws {
        let fixture = try StoreFixture()
        let path = fixture.directory + "/no/such/dir/p.sqlite"

        let error = #expect(throws: FlamelabError.self) { try ProfileStore(path: path) }

        #expect(error?.description == "failed to open profile store \(path): directory \(fixture.directory)/no/such/dir does not exist")
    }

    @Test func aDirectoryIsNotTakenForAStore() throws {
        let fixture = try StoreFixture()
        let before = try mode(fixture.directory)

        let error = #expect(throws: FlamelabError.self) { try ProfileStore(path: fixture.directory) }

        #expect(error?.description == "failed to open profile store \(fixture.directory): it is not a regular file")
        #expect(try mode(fixture.directory) == before, "the directory's permissions are left alone")
    }

    @Test func aSecondWriterGivesUpWithAClearErrorAfterTheBusyTimeout() throws {
        let fixture = try StoreFixture()
        let store = try fixture.openStore(busyTimeout: 0.3)
        // Another connection (as another process would) holds the write lock.
        let other = try holdingConnection(fixture.storePath)
        try other.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }

        let start = Date()
        let error = #expect(throws: FlamelabError.self) { try store.write(StoreFixture.sampleProfile()) }
        let waited = Date().timeIntervalSince(start)

        #expect(error?.description == "failed to write profile to store \(fixture.storePath): it is held by another writer (gave up after waiting 0.3 s)")
        #expect(waited >= 0.25 && waited < 5, "waited \(waited) s")
        // Readers are not blocked by the writer.
        #expect(try store.runs().isEmpty)
        try other.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
    }

    @Test func aSecondWriterWaitsWhenTheFirstFinishesInTime() throws {
        let fixture = try StoreFixture()
        let store = try fixture.openStore(busyTimeout: 5)
        let other = try holdingConnection(fixture.storePath)
        try other.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        let released = DispatchSemaphore(value: 0)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) {
            try? other.writeWithoutTransaction { db in try db.execute(sql: "COMMIT") }
            released.signal()
        }

        let run = try store.write(StoreFixture.sampleProfile())

        released.wait()
        #expect(try store.runs().map(\.id) == [run])
    }
}
