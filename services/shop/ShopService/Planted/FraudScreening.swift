/// The v2 deploy's regression: a new risk-scoring step on checkout that costs ~15% more CPU per
/// request, small enough that p50 latency barely moves.
public enum FraudScreening {
    /// Scores an order's risk with `rounds` rounds of feature hashing.
    @inline(never)
    public static func scoreOrderRisk(orderID: UInt64, rounds: Int) -> UInt64 {
        let counters = GroundTruthCounters.shared
        return counters.measure(counters.scoreOrderRisk) {
            var h: UInt64 = 0xcbf29ce484222325 ^ orderID
            for round in 0..<rounds {
                h = (h ^ UInt64(truncatingIfNeeded: round)) &* 0x100000001b3
                h ^= h >> 29
            }
            return h % 1000
        }
    }
}
