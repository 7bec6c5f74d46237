/// A W3C trace id: 16 bytes, never all zero. Carried as two words inside flamelab; spelled as 32
/// lowercase hex digits only at the edges (codecs, store queries, pages, the command line).
public struct TraceID: HexIdentifier {
    public static let kindName = "trace id"
    public static let hexDigits = 32

    /// Bytes 0-7 and 8-15 of the id, big-endian (the order of its hex digits).
    public let high: UInt64
    public let low: UInt64

    /// The id of two words; nil when both are zero (W3C: an invalid id).
    public init?(high: UInt64, low: UInt64) {
        guard high != 0 || low != 0 else { return nil }
        self.high = high
        self.low = low
    }

    /// The id of exactly 16 bytes in W3C order; nil for another length or all zeros.
    public init?<C: Collection>(bytes: C) where C.Element == UInt8 {
        guard bytes.count == 16 else { return nil }
        self.init(high: Hex.word(bytes, from: bytes.startIndex), low: Hex.word(bytes, from: bytes.index(bytes.startIndex, offsetBy: 8)))
    }

    /// The id of exactly 16 raw bytes in W3C order (a ring-buffer record, a C struct field): two
    /// big-endian loads. The generic `init?(bytes:)` is not specialised across modules, and over a
    /// buffer slice it was a quarter of the agent's CPU at 999 Hz.
    public init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 16 else { return nil }
        self.init(high: UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)),
                  low: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
    }

    /// The id spelled by exactly 32 hex digits (either case); nil otherwise or when all zero.
    public init?(hex: some StringProtocol) {
        var text = String(hex)
        let words: (UInt64, UInt64)? = text.withUTF8 { utf8 in
            guard utf8.count == 32, let high = Hex.word(utf8, from: 0), let low = Hex.word(utf8, from: 16) else { return nil }
            return (high, low)
        }
        guard let words else { return nil }
        self.init(high: words.0, low: words.1)
    }

    /// A random (W3C: non-zero) id.
    public static func random() -> TraceID {
        var generator = SystemRandomNumberGenerator()
        while true {
            if let id = TraceID(high: generator.next(), low: generator.next()) { return id }
        }
    }

    /// The 16 bytes in W3C order.
    public var bytes: [UInt8] { Hex.bytes(high) + Hex.bytes(low) }

    /// 32 lowercase hex digits.
    public var hex: String {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        Hex.append(high, to: &out)
        Hex.append(low, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public static func < (a: TraceID, b: TraceID) -> Bool { (a.high, a.low) < (b.high, b.low) }
}
