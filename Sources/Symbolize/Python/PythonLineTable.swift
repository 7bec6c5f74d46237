import ProfileModel

/// CPython 3.11's location table (`co_linetable`), decoded for line numbers only.
///
/// Format (Objects/locations.md in CPython 3.11): a sequence of entries, each starting with a byte
/// `1 CCCC LLL`: code C, and L+1 = the number of code units the entry covers. Codes 0-9: same line, one
/// column byte follows; 10-12: line + (C-10), two column bytes; 13: line + svarint, no columns;
/// 14: line + svarint, then end-line, column and end-column varints; 15: no location.
/// Varints are 6-bit little-endian groups with bit 6 as "more"; an svarint keeps the sign in bit 0.
public struct PythonLineTable: Sendable, Equatable {
    /// One decoded entry: code units [start, end) run on `line` (nil: no line, e.g. artificial code).
    public struct Range: Sendable, Equatable {
        public var start: Int
        public var end: Int
        public var line: Int?
    }

    public let ranges: [Range]
    public let firstLine: Int

    /// Decodes `table` for a code object whose `co_firstlineno` is `firstLine`.
    /// Throws `failed to decode line table: ...` for a truncated or malformed table.
    public init(table: [UInt8], firstLine: Int) throws {
        var ranges: [Range] = []
        var cursor = Cursor(bytes: table)
        var line = firstLine
        var address = 0
        while !cursor.isAtEnd {
            let head = try cursor.byte()
            guard head & 0x80 != 0 else { throw PythonLineTable.malformed("entry without its start bit") }
            let code = Int((head >> 3) & 15)
            let length = Int(head & 7) + 1
            var entryLine: Int? = line
            switch code {
            case 15:
                entryLine = nil
            case 14:
                line += try cursor.signedVarint()
                entryLine = line
                for _ in 0..<3 { _ = try cursor.varint() }
            case 13:
                line += try cursor.signedVarint()
                entryLine = line
            case 10...12:
                line += code - 10
                entryLine = line
                try cursor.skip(2)
            default:
                try cursor.skip(1)
            }
            ranges.append(Range(start: address, end: address + length, line: entryLine))
            address += length
        }
        self.ranges = ranges
        self.firstLine = firstLine
    }

    /// The line of the instruction at code-unit index `lasti`, as `PyCode_Addr2Line` gives it:
    /// `firstLine` before the first instruction (lasti < 0), nil when the table has no line for it.
    public func line(at lasti: Int) -> Int? {
        guard lasti >= 0 else { return firstLine }
        var low = 0
        var high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].end <= lasti { low = middle + 1 } else { high = middle }
        }
        guard low < ranges.count, ranges[low].start <= lasti else { return nil }
        return ranges[low].line
    }

    static func malformed(_ reason: String) -> FlamelabError {
        FlamelabError.failed("decode", "line table", reason)
    }

    /// Reads bytes and varints off the table, throwing on truncation.
    private struct Cursor {
        let bytes: [UInt8]
        var index = 0

        var isAtEnd: Bool { index >= bytes.count }

        mutating func byte() throws -> UInt8 {
            guard index < bytes.count else { throw PythonLineTable.malformed("truncated at byte \(index)") }
            defer { index += 1 }
            return bytes[index]
        }

        mutating func skip(_ count: Int) throws {
            guard index + count <= bytes.count else { throw PythonLineTable.malformed("truncated at byte \(index)") }
            index += count
        }

        mutating func varint() throws -> Int {
            var read = try byte()
            var value = Int(read & 63)
            var shift = 0
            while read & 64 != 0 {
                read = try byte()
                shift += 6
                guard shift < 60 else { throw PythonLineTable.malformed("varint too long") }
                value |= Int(read & 63) << shift
            }
            return value
        }

        mutating func signedVarint() throws -> Int {
            let value = try varint()
            return value & 1 != 0 ? -(value >> 1) : value >> 1
        }
    }
}
