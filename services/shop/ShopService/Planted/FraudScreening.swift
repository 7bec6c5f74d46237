/// The v2 deploy's regression: a new risk-scoring step on checkout whose CPU is a fixed share of the
/// same request's own work, so it costs the same relative amount on every host and every start.
///
/// A fixed round count did not: the Swift and Python parts of a checkout speed up differently across
/// CPUs (+13% on one host, +22% on another), and sizing the rounds once at start-up from a few timed
/// checkouts moved with whatever the machine did at that moment (+1.9% to +19% seen).
public enum FraudScreening {
    /// Rounds of feature hashing between two reads of the thread clock: ~25 µs of work, so the
    /// clock reads (a syscall each) stay around 1% of the step and the budget is met within one chunk.
    static let roundsPerChunk = 2_048

    /// Scores an order's risk, hashing until the calling thread has spent `cpuBudgetNs` of CPU here.
    @inline(never)
    public static func scoreOrderRisk(orderID: UInt64, cpuBudgetNs: UInt64) -> UInt64 {
        let counters = GroundTruthCounters.shared
        return counters.measure(counters.scoreOrderRisk) {
            let start = ThreadCPUClock.threadCPUNanoseconds()
            var h: UInt64 = 0xcbf29ce484222325 ^ orderID
            var round: UInt64 = 0
            repeat {
                h = hashChunk(h, from: round)
                round &+= UInt64(roundsPerChunk)
            } while ThreadCPUClock.threadCPUNanoseconds() &- start < cpuBudgetNs
            return h % 1000
        }
    }

    /// One chunk of rounds; inlined so the samples land on `scoreOrderRisk` itself.
    @inline(__always)
    static func hashChunk(_ seed: UInt64, from first: UInt64) -> UInt64 {
        var h = seed
        for round in first..<(first &+ UInt64(roundsPerChunk)) {
            h = (h ^ round) &* 0x100000001b3
            h ^= h >> 29
        }
        return h
    }
}
