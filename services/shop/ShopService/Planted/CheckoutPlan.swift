/// The realistic mix one checkout request runs. Sizes are chosen so each part is visible in a profile:
/// pricing is the largest CPU share, inventory is a wait, tax is many tiny calls, Python is the worker.
public struct CheckoutPlan: Sendable {
    public var basketItems = 900
    public var invoiceLines = 1_500
    public var recommendationSize = 2_000
    /// Inventory wait, drawn uniformly per request: real dependencies jitter.
    public var inventoryDelayMs: ClosedRange<Int> = 30...50
    /// v2 only: rounds of FraudScreening.scoreOrderRisk (~15% of a v1 checkout's CPU).
    public var fraudRounds = 450_000

    public init() {}
}
