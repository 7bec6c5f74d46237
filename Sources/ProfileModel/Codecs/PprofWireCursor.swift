/// Steps over protobuf wire fields by the rules swift-protobuf's decoder applies, for
/// `PprofWireDiagnosis` alone: it reads tags and lengths to find where rejected input goes wrong,
/// never values for the model (swift-protobuf decodes those).
struct PprofWireCursor {
    /// What is wrong at the cursor, worded for a parse error.
    struct Complaint: Error {
        var reason: String
    }

    /// One field's number, wire type and payload (after the length, for length-delimited fields).
    struct Field {
        var number: Int
        var wireType: Int
        var payload: Range<Int>
    }

    /// swift-protobuf's default `messageDepthLimit`: deeper groups are refused, not recursed into.
    static let groupDepthLimit = 100

    let bytes: [UInt8]
    var position: Int
    let end: Int

    var isAtEnd: Bool { position >= end }

    mutating func readVarint() throws(Complaint) -> UInt64 {
        var result: UInt64 = 0
        for shift in stride(from: UInt64(0), through: 63, by: 7) {
            guard position < end else { throw Complaint(reason: "truncated varint") }
            let byte = bytes[position]
            position += 1
            result |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return result }
        }
        throw Complaint(reason: "varint longer than 10 bytes")
    }

    /// Reads a field's tag and steps over its payload; a group is stepped over whole.
    mutating func readField() throws(Complaint) -> Field {
        let (number, wireType) = try readTag()
        guard wireType != 4 else { throw Complaint(reason: "end of group \(number) without its start") }
        return try readPayload(number, wireType, depth: 0)
    }

    private mutating func readTag() throws(Complaint) -> (Int, Int) {
        let key = try readVarint()
        guard key >> 3 > 0 && key >> 3 <= 0x1fff_ffff else { throw Complaint(reason: "invalid field number \(key >> 3)") }
        return (Int(key >> 3), Int(key & 7))
    }

    private mutating func readPayload(_ number: Int, _ wireType: Int, depth: Int) throws(Complaint) -> Field {
        var start = position
        switch wireType {
        case 0:
            _ = try readVarint()
        case 1, 5:
            let size = wireType == 1 ? 8 : 4
            guard end - position >= size else { throw Complaint(reason: "truncated fixed-size field \(number)") }
            position += size
        case 2:
            let length = try readVarint()
            guard length <= UInt64(end - position) else {
                throw Complaint(reason: "field \(number) claims \(length) bytes but only \(end - position) remain")
            }
            start = position
            position += Int(length)
        case 3:
            try skipGroup(number, depth: depth + 1)
        default:
            throw Complaint(reason: "unsupported wire type \(wireType) for field \(number)")
        }
        return Field(number: number, wireType: wireType, payload: start..<position)
    }

    private mutating func skipGroup(_ number: Int, depth: Int) throws(Complaint) {
        guard depth <= Self.groupDepthLimit else {
            throw Complaint(reason: "groups nested deeper than \(Self.groupDepthLimit)")
        }
        while true {
            guard !isAtEnd else { throw Complaint(reason: "group \(number) has no end") }
            let (inner, wireType) = try readTag()
            if wireType == 4 {
                guard inner == number else { throw Complaint(reason: "group \(number) ended by field \(inner)") }
                return
            }
            _ = try readPayload(inner, wireType, depth: depth)
        }
    }
}
