/// Sizes v2's regression on the machine it runs on. A fixed number of `FraudScreening` rounds cost
/// +13% of a checkout's CPU on one host and +22% on another (the Python and the Swift parts of a
/// checkout speed up differently across CPUs), which left the planted change outside its 10-20% band.
/// So v2 measures at start, on its own thread clock, what a v1 checkout's work costs and what one round
/// costs, and takes the rounds that make the new step `share` of that work.
enum FraudCalibration {
    /// Rounds for `share` of the CPU of `checkoutWork` (medians of `repetitions` runs of each).
    static func rounds(share: Double, repetitions: Int = 5, checkoutWork: () throws -> Void) rethrows -> Int {
        let probeRounds = 100_000
        var work: [UInt64] = []
        var probe: [UInt64] = []
        for _ in 0..<repetitions {
            work.append(try threadCPU(checkoutWork))
            probe.append(threadCPU { _ = FraudScreening.scoreOrderRisk(orderID: 1, rounds: probeRounds) })
        }
        let perRound = Double(median(probe)) / Double(probeRounds)
        guard perRound > 0 else { return CheckoutPlan().fraudRounds }
        return max(1, Int(share * Double(median(work)) / perRound))
    }

    private static func threadCPU(_ body: () throws -> Void) rethrows -> UInt64 {
        let start = ThreadCPUClock.threadCPUNanoseconds()
        try body()
        return ThreadCPUClock.threadCPUNanoseconds() &- start
    }

    private static func median(_ values: [UInt64]) -> UInt64 {
        values.sorted()[values.count / 2]
    }
}
