import ProfileModel

/// A Bloom filter of the trace ids in one window, stored beside it (`window_trace_filter`): a trace
/// search over an hour tests a few hundred bytes per window instead of inflating its id table.
/// 10 to 20 bits per id (a power of two) and 4 probes: a false match, 1 time in 70 to 1 in 900,
/// costs one window's read; a miss is never false. Trace ids are random already, so the probes come from their two words
/// by double hashing, with no hash function of ours.
struct TraceIDFilter: Equatable {
    static let probes = 4
    /// The filter's bits, little-endian within each byte.
    private(set) var bytes: [UInt8]

    /// A filter sized for `ids`, holding them.
    init(ids: some Collection<TraceID>) {
        var bits = 64
        while bits < ids.count * 10 { bits *= 2 }
        bytes = [UInt8](repeating: 0, count: bits / 8)
        for id in ids { for bit in positions(id) { bytes[bit / 8] |= 1 << UInt8(bit % 8) } }
    }

    /// A stored filter; nil for a length no filter has (not a power of two of at least 8 bytes).
    init?(stored: [UInt8]) {
        guard stored.count >= 8, stored.count & (stored.count - 1) == 0 else { return nil }
        bytes = stored
    }

    /// False only when `id` is certainly not in the window.
    func mayContain(_ id: TraceID) -> Bool {
        positions(id).allSatisfy { bytes[$0 / 8] & (1 << UInt8($0 % 8)) != 0 }
    }

    private func positions(_ id: TraceID) -> [Int] {
        let mask = UInt64(bytes.count * 8 - 1)
        return (0..<UInt64(Self.probes)).map { Int((id.low &+ $0 &* (id.high | 1)) & mask) }
    }
}
