import Foundation

/// The stored form of a stack: store frame ids, root first, as unsigned LEB128 varints.
/// A 30-frame stack over a few thousand frames takes ~60 bytes instead of 240 as int64s.
enum StackBlob {
    /// Encodes frame ids (all >= 0) root first.
    static func encode(_ frameIDs: [Int64]) -> Data {
        var bytes = [UInt8]()
        bytes.reserveCapacity(frameIDs.count * 2)
        for id in frameIDs {
            var rest = UInt64(bitPattern: id)
            while rest >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
                rest >>= 7
            }
            bytes.append(UInt8(rest))
        }
        return Data(bytes)
    }

    /// Decodes a blob written by `encode`; nil when it is truncated or overlong.
    static func decode(_ blob: Data) -> [Int64]? {
        var ids = [Int64]()
        var value: UInt64 = 0
        var shift: UInt64 = 0
        for byte in blob {
            guard shift < 64 else { return nil }
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 {
                ids.append(Int64(bitPattern: value))
                value = 0
                shift = 0
            } else {
                shift += 7
            }
        }
        return shift == 0 ? ids : nil
    }

    /// FNV-1a, 64 bit. Deterministic across processes (unlike `Hasher`), so it can be stored.
    static func hash(_ blob: Data) -> Int64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in blob {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: h)
    }
}
