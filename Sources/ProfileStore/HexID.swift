import Foundation

/// Trace and span ids travel as lowercase hex (W3C trace context) but are stored as bytes:
/// a trace id as a 16-byte blob, a span id as a 64-bit integer.
enum HexID {
    /// Parses hex (either case) filling all of `out`; false unless `hex` has exactly twice
    /// `out.count` hex digits. Allocation-free: this runs once per stored sample.
    static func parse(_ hex: String, into out: UnsafeMutableRawBufferPointer) -> Bool {
        var hex = hex
        return hex.withUTF8 { utf8 in
            guard utf8.count == out.count * 2 else { return false }
            for i in 0..<out.count {
                guard let high = nibble(utf8[2 * i]), let low = nibble(utf8[2 * i + 1]) else { return false }
                out[i] = high << 4 | low
            }
            return true
        }
    }

    /// A span id as the signed 64-bit integer SQLite stores, nil when it is not 16 hex digits.
    static func spanInteger(_ hex: String) -> Int64? {
        var value: UInt64 = 0
        let ok = withUnsafeMutableBytes(of: &value) { parse(hex, into: $0) }
        // parse wrote the bytes in hex order: big-endian.
        return ok ? Int64(bitPattern: UInt64(bigEndian: value)) : nil
    }

    /// Lowercase hex of `bytes`.
    static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The 16 hex digits of a stored span id.
    static func spanHex(_ value: Int64) -> String {
        let v = UInt64(bitPattern: value)
        return hex((0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * $0)) })
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
