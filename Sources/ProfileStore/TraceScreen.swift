import Foundation
import GRDB
import ProfileModel

/// Whether a window may hold any of a trace search's ids, read cheaply: its Bloom filter when it
/// has one (a false match only costs the window's decoding, whose samples are matched one by one),
/// else its id table alone (windows converted from runs, or from before the filters).
struct TraceScreen {
    let filters: Statement
    let contexts: Statement

    init(db: Database) throws {
        filters = try db.makeStatement(sql: "SELECT filter FROM window_trace_filter WHERE window_id = ?")
        contexts = try db.makeStatement(sql: "SELECT contexts FROM window WHERE id = ?")
    }

    func mayHold(_ wanted: Set<TraceID>, window: RunID, reader: ProfileReader) throws -> Bool {
        if let stored = try Data.fetchOne(filters, arguments: [window.rawValue]), let filter = TraceIDFilter(stored: [UInt8](stored)) {
            return wanted.contains(where: filter.mayContain)
        }
        guard let row = try Row.fetchOne(contexts, arguments: [window.rawValue]) else { return false }
        do {
            return try WindowCodec.traceIDs(try reader.blob(row, "contexts", of: window)).contains { $0.map(wanted.contains) ?? false }
        } catch let malformed as WindowCodec.Malformed {
            throw FlamelabError.storeRead(reader.storePath, "window \(window) has a malformed \(malformed.what)")
        }
    }
}
