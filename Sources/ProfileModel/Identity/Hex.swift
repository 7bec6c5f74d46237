/// Lowercase hex of bytes and 64-bit words, and its inverse: the one hex codec of flamelab's ids
/// (`TraceID`, `SpanID`, ELF build ids). Ids are bytes everywhere inside flamelab; hex exists only
/// where they meet text (codecs, the store's query strings, the UI, the command line).
public enum Hex {
    /// Lowercase hex of `bytes`, two digits each.
    public static func string<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends the 16 lowercase hex digits of `word`, most significant first.
    static func append(_ word: UInt64, to out: inout [UInt8]) {
        for shift in stride(from: 60, through: 0, by: -4) {
            out.append(digits[Int((word >> UInt64(shift)) & 0xf)])
        }
    }

    /// The word spelled by exactly 16 hex digits (either case) starting at `start`; nil otherwise.
    static func word(_ utf8: UnsafeBufferPointer<UInt8>, from start: Int) -> UInt64? {
        guard start >= 0, start + 16 <= utf8.count else { return nil }
        var word: UInt64 = 0
        for index in start..<(start + 16) {
            guard let nibble = nibble(utf8[index]) else { return nil }
            word = word << 4 | UInt64(nibble)
        }
        return word
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Big-endian word of 8 bytes from `bytes` starting at `start` (the caller checks the length).
    static func word<C: Collection>(_ bytes: C, from start: C.Index) -> UInt64 where C.Element == UInt8 {
        var word: UInt64 = 0
        var index = start
        for _ in 0..<8 {
            word = word << 8 | UInt64(bytes[index])
            index = bytes.index(after: index)
        }
        return word
    }

    /// The 8 bytes of `word`, most significant first.
    static func bytes(_ word: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: word >> UInt64(56 - 8 * $0)) }
    }
}
