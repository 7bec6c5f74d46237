import Foundation
import ProfileModel

/// One row of the sample table, as read back.
struct SampleRow {
    var rowID: Int64
    var runID: Int64
    var stackID: Int64
    var timeNs: Int64?
    var value: Int64
    var labels: SampleLabels

    /// The columns `read` expects, in order.
    static let columns = "rowid, run_id, stack_id, time_ns, value, trace_id, span_id, pid, tid"

    /// Reads every row of an already bound statement selecting `columns`, then resets it.
    static func readAll(_ statement: RawStatement) throws -> [SampleRow] {
        defer { statement.reset() }
        var rows = [SampleRow]()
        while try statement.step() {
            let trace = statement.bytes(5).flatMap { TraceID(bytes: $0) }
            let timeNs = statement.optionalInt64(3)
            let labels = SampleLabels(
                traceID: trace, spanID: statement.optionalInt64(6).flatMap { SpanID(UInt64(bitPattern: $0)) },
                pid: statement.optionalInt64(7).map { Int32(truncatingIfNeeded: $0) },
                tid: statement.optionalInt64(8).map { Int32(truncatingIfNeeded: $0) },
                timestampNs: timeNs.map { UInt64(max(0, $0)) })
            rows.append(SampleRow(rowID: statement.int64(0), runID: statement.int64(1), stackID: statement.int64(2),
                                  timeNs: timeNs, value: statement.int64(4), labels: labels))
        }
        return rows
    }
}
