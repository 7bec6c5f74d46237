/// A minimal protocol-buffers wire decoder over a byte range. Every read is bounds-checked and
/// throws `ProtobufReader.WireError` instead of trapping, so malformed input cannot crash it.
struct ProtobufReader {
    struct WireError: Error {
        var reason: String
    }

    /// One field: number, wire type, and its value (varint) or byte range (length-delimited).
    struct Field {
        var number: Int
        var wireType: Int
        var varint: UInt64
        var range: Range<Int>
    }

    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int

    init(_ bytes: [UInt8], range: Range<Int>? = nil) {
        self.bytes = bytes
        position = range?.lowerBound ?? 0
        end = range?.upperBound ?? bytes.count
    }

    var isAtEnd: Bool { position >= end }

    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw WireError(reason: "truncated varint") }
            let byte = bytes[position]
            position += 1
            if shift == 63 && byte > 1 { throw WireError(reason: "varint longer than 64 bits") }
            result |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift > 63 { throw WireError(reason: "varint longer than 10 bytes") }
        }
    }

    /// Reads the next field; skips the payload of fixed32/fixed64 fields (profile.proto has none).
    mutating func readField() throws -> Field {
        let key = try readVarint()
        let number = Int(truncatingIfNeeded: key >> 3)
        let wire = Int(key & 7)
        guard number > 0 && key >> 3 <= 0x1fff_ffff else { throw WireError(reason: "invalid field number \(key >> 3)") }
        switch wire {
        case 0:
            return Field(number: number, wireType: wire, varint: try readVarint(), range: position..<position)
        case 1, 5:
            let size = wire == 1 ? 8 : 4
            guard end - position >= size else { throw WireError(reason: "truncated fixed-size field \(number)") }
            position += size
            return Field(number: number, wireType: wire, varint: 0, range: (position - size)..<position)
        case 2:
            let length = try readVarint()
            guard length <= UInt64(end - position) else {
                throw WireError(reason: "field \(number) claims \(length) bytes but only \(end - position) remain")
            }
            let start = position
            position += Int(length)
            return Field(number: number, wireType: wire, varint: 0, range: start..<position)
        default:
            throw WireError(reason: "unsupported wire type \(wire) for field \(number)")
        }
    }

    /// The values of a repeated varint field, packed (length-delimited) or not.
    func varints(of field: Field, into values: inout [UInt64]) throws {
        switch field.wireType {
        case 0:
            values.append(field.varint)
        case 2:
            var inner = ProtobufReader(bytes, range: field.range)
            while !inner.isAtEnd { values.append(try inner.readVarint()) }
        default:
            throw WireError(reason: "field \(field.number) has wire type \(field.wireType), expected varint")
        }
    }

    /// A scalar varint field's value, checking the wire type.
    static func scalar(_ field: Field) throws -> UInt64 {
        guard field.wireType == 0 else {
            throw WireError(reason: "field \(field.number) has wire type \(field.wireType), expected varint")
        }
        return field.varint
    }

    /// A message or string field's byte range, checking the wire type.
    static func payload(_ field: Field) throws -> Range<Int> {
        guard field.wireType == 2 else {
            throw WireError(reason: "field \(field.number) has wire type \(field.wireType), expected length-delimited")
        }
        return field.range
    }
}
