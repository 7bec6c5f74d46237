import Foundation

/// The stored form of a stack: store frame ids, root first, as varints (`Varint`).
/// A 30-frame stack over a few thousand frames takes ~60 bytes instead of 240 as int64s.
enum StackBlob {
    /// Encodes frame ids (all >= 0) root first.
    static func encode(_ frameIDs: [Int64]) -> Data {
        var bytes = [UInt8]()
        bytes.reserveCapacity(frameIDs.count * 2)
        for id in frameIDs { Varint.append(UInt64(bitPattern: id), to: &bytes) }
        return Data(bytes)
    }

    /// Decodes a blob written by `encode`; nil when it is truncated or overlong.
    static func decode(_ blob: Data) -> [Int64]? {
        var reader = Varint.Reader([UInt8](blob))
        var ids = [Int64]()
        while !reader.isAtEnd {
            guard let id = reader.next() else { return nil }
            ids.append(Int64(bitPattern: id))
        }
        return ids
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
