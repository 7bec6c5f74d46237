import Foundation
import GRDB
import ProfileModel

/// Turns store stack ids into a profile's own interned stacks, loading each stored stack and
/// frame once.
struct StackResolver {
    let db: Database
    let storePath: String
    private var stackIDs: [Int64: Int] = [:]
    private var frameIndices: [Int64: Int32] = [:]

    private let stackStatement: Statement
    private let frameStatement: RawStatement

    init(db: Database, storePath: String) throws {
        self.db = db
        self.storePath = storePath
        stackStatement = try db.makeStatement(sql: "SELECT frames FROM stack WHERE id = ?")
        frameStatement = try RawStatement(db, sql: "SELECT name, module, kind, file, line FROM frame WHERE id = ?")
    }

    /// The profile stack id for store stack `storeStackID`, interning its frames into `profile`.
    mutating func profileStackID(storeStackID: Int64, into profile: inout Profile) throws -> Int {
        if let id = stackIDs[storeStackID] { return id }
        guard let blob = try Data.fetchOne(stackStatement, arguments: [storeStackID]) else {
            throw FlamelabError.storeRead(storePath, "a sample points at stack \(storeStackID), which is missing")
        }
        guard let storeFrameIDs = StackBlob.decode(blob) else {
            throw FlamelabError.storeRead(storePath, "stack \(storeStackID) is malformed")
        }
        var indices = [Int32]()
        indices.reserveCapacity(storeFrameIDs.count)
        for frameID in storeFrameIDs {
            indices.append(try frameIndex(storeFrameID: frameID, into: &profile))
        }
        let id = profile.intern(stack: indices)
        stackIDs[storeStackID] = id
        return id
    }

    private mutating func frameIndex(storeFrameID: Int64, into profile: inout Profile) throws -> Int32 {
        if let index = frameIndices[storeFrameID] { return index }
        frameStatement.bind(1, storeFrameID)
        defer { frameStatement.reset() }
        guard try frameStatement.step() else {
            throw FlamelabError.storeRead(storePath, "stack refers to frame \(storeFrameID), which is missing")
        }
        let kindName = frameStatement.text(2) ?? ""
        guard let kind = FrameKind(rawValue: kindName) else {
            throw FlamelabError.storeRead(storePath, "frame \(storeFrameID) has unknown kind \"\(kindName)\"")
        }
        let frame = Frame(name: frameStatement.text(0) ?? "", module: frameStatement.text(1) ?? "", kind: kind,
                          file: frameStatement.text(3), line: frameStatement.optionalInt64(4).map { Int($0) })
        let index = profile.intern(frame)
        frameIndices[storeFrameID] = index
        return index
    }
}
