/// A raw protocol-buffers wire writer for the tests: it builds foreign and malformed profile.proto
/// input (wrong wire types, random fields, missing tables) that swift-protobuf's generated types
/// cannot express. Moved here from ProfileModel, whose codec now writes through swift-protobuf.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    private mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// A uint64 field; proto3 omits zero.
    mutating func uint64(_ field: Int, _ value: UInt64) {
        guard value != 0 else { return }
        varint(UInt64(field) << 3)
        varint(value)
    }

    /// An int64 field (two's complement varint); proto3 omits zero.
    mutating func int64(_ field: Int, _ value: Int64) {
        uint64(field, UInt64(bitPattern: value))
    }

    /// A length-delimited field holding `payload`, written even when empty (repeated strings).
    mutating func lengthDelimited(_ field: Int, _ payload: [UInt8]) {
        varint(UInt64(field) << 3 | 2)
        varint(UInt64(payload.count))
        bytes.append(contentsOf: payload)
    }

    /// A packed repeated varint field; omitted when empty.
    mutating func packed(_ field: Int, _ values: [UInt64]) {
        guard !values.isEmpty else { return }
        var body = ProtobufWriter()
        for v in values { body.varint(v) }
        lengthDelimited(field, body.bytes)
    }
}
