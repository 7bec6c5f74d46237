import Foundation

/// The shop service's parts, wired once per process. Routes call into it.
public final class Shop: Sendable {
    public let config: ShopConfig
    public let executor: RequestExecutor
    public let metrics: ShopMetrics
    public let fault: FaultSwitch
    /// The planted leak's switch and what it keeps (`POST /admin/fault?leak=1`).
    public let sessions: SessionCache
    public let checkoutPlan: CheckoutPlan
    let inventory: InventoryClient
    let python: PythonWorker
    let janitor: CacheJanitor?

    /// Starts the slow inventory backend, the Python worker and (optionally) the periodic janitor.
    public init(config: ShopConfig, checkoutPlan: CheckoutPlan = CheckoutPlan()) throws {
        self.config = config
        executor = RequestExecutor(threads: config.workerThreads)
        metrics = ShopMetrics(version: config.version.rawValue)
        fault = FaultSwitch(share: config.faultShare)
        sessions = SessionCache()
        let backend = SlowInventoryBackend()
        try backend.start()
        inventory = InventoryClient(backendPort: backend.port)
        python = try PythonWorker(directory: config.pythonDirectory)
        self.checkoutPlan = checkoutPlan
        GroundTruthCounters.shared.enabled = config.groundTruthCounters
        janitor = config.periodicJanitor ? CacheJanitor() : nil
        janitor?.start()
    }

    public var pythonVersion: String { python.version }

    /// The compute route's work.
    public func price(items: Int) -> Double {
        PricingEngine.quoteBasket(itemCount: items, seed: UInt64.random(in: 1...UInt64.max))
    }

    /// The I/O-bound route's work.
    public func stockLevel(sku: String, delayMs: Int) throws -> Int {
        try inventory.fetchStockLevel(sku: sku, delayMs: delayMs)
    }

    /// The high-frequency route's work.
    public func tax(lines: Int) -> Double {
        TaxCalculator.taxInvoice(lines: lines)
    }

    /// The Python route's work; fails loudly if the worker ever returns a wrong answer.
    public func recommend(size: Int) throws -> Int64 {
        let value = try python.recommend(size: size)
        let expected = PythonWorker.expectedRecommendation(size: size)
        guard value == expected else {
            throw PythonWorker.PythonError(description: "failed to check Python result for size \(size): got \(value), expected \(expected)")
        }
        return value
    }

    /// The SLO'd endpoint: every planted path in one request (the leak only when switched on), plus v2's regression.
    @inline(never)
    public func checkout(orderID: UInt64) throws -> Double {
        let plan = checkoutPlan
        let workStart = ThreadCPUClock.threadCPUNanoseconds()
        let items = plan.basketItems * fault.basketMultiplier()
        var total = PricingEngine.quoteBasket(itemCount: items, seed: orderID)
        total += TaxCalculator.taxInvoice(lines: plan.invoiceLines)
        total += Double(ReceiptFormatter.formatReceiptLines(orderID: orderID, lines: plan.receiptLines) & 0xff)
        sessions.rememberCart(orderID: orderID, itemCount: plan.basketItems)
        let delay = Int.random(in: plan.inventoryDelayMs)
        total += Double(try inventory.fetchStockLevel(sku: "sku-\(orderID % 977)", delayMs: delay))
        total += Double(try recommend(size: plan.recommendationSize))
        if config.version == .v2 {
            let work = ThreadCPUClock.threadCPUNanoseconds() &- workStart
            let budget = UInt64(Double(work) * plan.fraudShareOfWork)
            total += Double(FraudScreening.scoreOrderRisk(orderID: orderID, cpuBudgetNs: budget))
        }
        return total
    }
}
