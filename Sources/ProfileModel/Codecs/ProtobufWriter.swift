/// A minimal protocol-buffers wire encoder: varints, length-delimited fields, packed repeated
/// varints. Enough for profile.proto; written here because no protobuf runtime is a dependency.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    init(reservingCapacity capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    enum WireType: UInt64 {
        case varint = 0
        case lengthDelimited = 2
    }

    mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func tag(_ field: Int, _ wire: WireType) {
        varint(UInt64(field) << 3 | wire.rawValue)
    }

    /// A uint64 field; proto3 omits zero.
    mutating func uint64(_ field: Int, _ value: UInt64) {
        guard value != 0 else { return }
        tag(field, .varint)
        varint(value)
    }

    /// An int64 field (two's complement varint); proto3 omits zero.
    mutating func int64(_ field: Int, _ value: Int64) {
        uint64(field, UInt64(bitPattern: value))
    }

    mutating func bool(_ field: Int, _ value: Bool) {
        uint64(field, value ? 1 : 0)
    }

    /// A length-delimited field holding `payload`, written even when empty (repeated strings).
    mutating func lengthDelimited<C: Collection>(_ field: Int, _ payload: C) where C.Element == UInt8 {
        tag(field, .lengthDelimited)
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

    /// A packed field of exactly two varints, without intermediate buffers (per-sample values).
    mutating func packedPair(_ field: Int, _ a: UInt64, _ b: UInt64) {
        tag(field, .lengthDelimited)
        varint(UInt64(Self.varintSize(a) + Self.varintSize(b)))
        varint(a)
        varint(b)
    }

    static func varintSize(_ value: UInt64) -> Int {
        var size = 1
        var v = value >> 7
        while v != 0 { size += 1; v >>= 7 }
        return size
    }

    /// Appends already encoded bytes verbatim.
    mutating func raw<C: Collection>(_ encoded: C) where C.Element == UInt8 {
        bytes.append(contentsOf: encoded)
    }
}
