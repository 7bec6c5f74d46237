import Synchronization

/// Optional counters around the planted functions (off by default). When on, each measured call costs
/// two vDSO clock reads and two relaxed atomic adds; `lab` measures that cost.
public final class GroundTruthCounters: Sendable {
    /// The process-wide instance the planted functions report to.
    public static let shared = GroundTruthCounters()

    private let enabledFlag = Atomic<Bool>(false)
    public let quoteBasket = FunctionCounter(name: "PricingEngine.applyPairwiseBundleDiscounts")
    public let roundToCents = FunctionCounter(name: "TaxCalculator.roundToCents")
    public let sweepExpiredEntries = FunctionCounter(name: "CacheJanitor.sweepExpiredEntries")
    public let scoreOrderRisk = FunctionCounter(name: "FraudScreening.scoreOrderRisk")
    public let fetchStockLevel = FunctionCounter(name: "InventoryClient.fetchStockLevel")
    public let recommend = FunctionCounter(name: "PythonWorker.recommend")

    public var all: [FunctionCounter] {
        [quoteBasket, roundToCents, sweepExpiredEntries, scoreOrderRisk, fetchStockLevel, recommend]
    }

    public var enabled: Bool {
        get { enabledFlag.load(ordering: .relaxed) }
        set { enabledFlag.store(newValue, ordering: .relaxed) }
    }

    /// Runs `body`, timing it into `counter` when counters are enabled.
    @inline(__always)
    public func measure<T>(_ counter: FunctionCounter, _ body: () throws -> T) rethrows -> T {
        guard enabled else { return try body() }
        let start = ThreadCPUClock.monotonicNanoseconds()
        defer { counter.record(nanoseconds: ThreadCPUClock.monotonicNanoseconds() &- start) }
        return try body()
    }

    public func resetAll() {
        all.forEach { $0.reset() }
    }
}
