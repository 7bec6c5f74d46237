/// A W3C span (parent) id: 8 bytes, never all zero, held as one big-endian word; spelled as 16
/// lowercase hex digits only at the edges.
public struct SpanID: HexIdentifier {
    public static let kindName = "span id"
    public static let hexDigits = 16

    /// The 8 bytes as a big-endian word (the order of its hex digits).
    public let value: UInt64

    /// The id of `value`; nil when it is zero (W3C: an invalid id).
    public init?(_ value: UInt64) {
        guard value != 0 else { return nil }
        self.value = value
    }

    /// The id of exactly 8 bytes in W3C order; nil for another length or all zeros.
    public init?<C: Collection>(bytes: C) where C.Element == UInt8 {
        guard bytes.count == 8 else { return nil }
        self.init(Hex.word(bytes, from: bytes.startIndex))
    }

    /// The id of exactly 8 raw bytes in W3C order: one big-endian load (see `TraceID.init?(bytes:)`).
    public init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 8 else { return nil }
        self.init(UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)))
    }

    /// The id spelled by exactly 16 hex digits (either case); nil otherwise or when zero.
    public init?(hex: some StringProtocol) {
        var text = String(hex)
        guard let word = text.withUTF8({ $0.count == 16 ? Hex.word($0, from: 0) : nil }) else { return nil }
        self.init(word)
    }

    /// A random (W3C: non-zero) id.
    public static func random() -> SpanID {
        var generator = SystemRandomNumberGenerator()
        while true {
            if let id = SpanID(generator.next()) { return id }
        }
    }

    /// The 8 bytes in W3C order.
    public var bytes: [UInt8] { Hex.bytes(value) }

    /// 16 lowercase hex digits.
    public var hex: String {
        var out: [UInt8] = []
        out.reserveCapacity(16)
        Hex.append(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public static func < (a: SpanID, b: SpanID) -> Bool { a.value < b.value }
}
