/// The realistic mix one checkout request runs. Sizes are chosen so each part is visible in a profile:
/// pricing is the largest CPU share, inventory is a wait, tax is many tiny calls, Python is the worker,
/// the receipt is the allocation churn.
public struct CheckoutPlan: Sendable {
    public var basketItems = 900
    public var invoiceLines = 1_500
    /// Receipt lines rendered as strings and thrown away: the allocation hotspot (ReceiptFormatter).
    public var receiptLines = 120
    public var recommendationSize = 2_000
    /// Inventory wait, drawn uniformly per request: real dependencies jitter.
    public var inventoryDelayMs: ClosedRange<Int> = 30...50
    /// v2 only: FraudScreening.scoreOrderRisk's thread CPU as a share of the same request's own work
    /// (pricing, tax, the inventory call and the Python call, on the request's thread clock). That work
    /// is about 65-75% of a checkout's process CPU (the rest is HTTP and the wait's wake-ups), so 0.2 gives
    /// +13-15% CPU per request: inside the 10-20% band the service scenario checks, with room for run-to-run noise on either side.
    public var fraudShareOfWork = 0.2

    public init() {}
}
