import ProfileModel

/// The compact per-trace sample data a page carries so its script can filter by trace id:
/// the stacks used (as frame-table numbers, root first), the trace ids (most value first), and
/// `[stack, trace, value]` triples summed per stack and trace (trace -1 = no trace id).
struct TraceSampleData {
    private(set) var stacks: [[Int64]] = []
    private(set) var samples: [Int64] = []
    private(set) var traceIDs: [String] = []

    /// Empty (no stacks, samples or ids) when no sample carries a trace id.
    init(profile: Profile, table: FlameFrameTable) {
        var traceTotals: [TraceID: Int64] = [:]
        for sample in profile.samples where sample.value > 0 {
            if let id = sample.labels.traceID { traceTotals[id, default: 0] += sample.value }
        }
        guard !traceTotals.isEmpty else { return }
        let ordered = traceTotals.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
        traceIDs = ordered.map(\.hex)
        let traceNumber = Dictionary(uniqueKeysWithValues: ordered.enumerated().map { ($1, $0) })

        var stackNumber: [Int: Int] = [:]
        var sums: [Int64: Int64] = [:]
        var order: [Int64] = []
        for sample in profile.samples where sample.value > 0 {
            let stack: Int
            if let known = stackNumber[sample.stackID] {
                stack = known
            } else {
                stack = stacks.count
                stackNumber[sample.stackID] = stack
                stacks.append(profile.stacks[sample.stackID].map { Int64(table.number(of: profile.frames[Int($0)])) })
            }
            let trace = sample.labels.traceID.flatMap { traceNumber[$0] } ?? -1
            let key = Int64(stack) << 32 | Int64(trace + 1)
            if sums[key] == nil { order.append(key) }
            sums[key, default: 0] += sample.value
        }
        for key in order {
            samples += [key >> 32, (key & 0xFFFF_FFFF) - 1, sums[key]!]
        }
    }
}
