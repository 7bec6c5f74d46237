/// The realistic mix one checkout request runs. Sizes are chosen so each part is visible in a profile:
/// pricing is the largest CPU share, inventory is a wait, tax is many tiny calls, Python is the worker.
public struct CheckoutPlan: Sendable {
    public var basketItems = 900
    public var invoiceLines = 1_500
    public var recommendationSize = 2_000
    /// Inventory wait, drawn uniformly per request: real dependencies jitter.
    public var inventoryDelayMs: ClosedRange<Int> = 30...50
    /// v2 only: rounds of FraudScreening.scoreOrderRisk. v2 sizes it at start (`FraudCalibration`) to
    /// `fraudShareOfWork` of a v1 checkout's work; this count is the fallback.
    public var fraudRounds = 450_000
    /// The new step's CPU over the v1 checkout's work (pricing, tax, the Python call). The work is about
    /// 70% of a checkout's process CPU (HTTP, the inventory wait's wake-ups), so 0.2 gives ~+15% per request.
    public var fraudShareOfWork = 0.2

    public init() {}
}
