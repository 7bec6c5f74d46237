/// Many names in one byte buffer. A `String` per symbol costs a heap object for every name longer than
/// 15 bytes (most Swift symbols): for the ~300k symbols of a Swift service and its runtime that was
/// ~25 MB of the agent's memory; packed, the names cost their bytes and four more each.
struct PackedNames: Sendable {
    private var bytes: [UInt8] = []
    /// `starts[i] ..< starts[i + 1]` are the bytes of name `i`.
    private var starts: [UInt32] = [0]

    var count: Int { starts.count - 1 }

    init() {}

    init(reservingBytes byteCount: Int, names nameCount: Int) {
        bytes.reserveCapacity(byteCount)
        starts.reserveCapacity(nameCount + 1)
    }

    mutating func append<Bytes: Collection>(_ name: Bytes) where Bytes.Element == UInt8 {
        bytes.append(contentsOf: name)
        starts.append(UInt32(bytes.count))
    }

    subscript(index: Int) -> String {
        bytes.withUnsafeBufferPointer { buffer in
            String(decoding: UnsafeBufferPointer(rebasing: buffer[Int(starts[index])..<Int(starts[index + 1])]), as: UTF8.self)
        }
    }

    /// The first name equal to `name` (a linear scan, for occasional look-ups).
    func firstIndex(of name: String) -> Int? {
        let wanted = Array(name.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            (0..<count).first { index in
                let range = Int(starts[index])..<Int(starts[index + 1])
                return range.count == wanted.count && buffer[range].elementsEqual(wanted)
            }
        }
    }

    /// Every name's bytes in one buffer, with the range of each, for code that must compare names
    /// without making Strings of them.
    func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>, _ range: (Int) -> Range<Int>) throws -> Result) rethrows -> Result {
        try bytes.withUnsafeBufferPointer { buffer in
            try body(buffer) { Int(starts[$0])..<Int(starts[$0 + 1]) }
        }
    }
}
