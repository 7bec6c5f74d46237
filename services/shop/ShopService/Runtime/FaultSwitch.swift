import Synchronization

/// The planted incident: when on, a share of checkout requests price a basket `factor` times larger,
/// so the compute hotspot becomes much slower for them and the checkout SLO burns.
public final class FaultSwitch: Sendable {
    private let state = Mutex<(share: Double, factor: Int)>((0, 1))

    public init(share: Double = 0, factor: Int = 12) {
        set(share: share, factor: factor)
    }

    public func set(share: Double, factor: Int) {
        state.withLock { $0 = (min(max(share, 0), 1), max(factor, 1)) }
    }

    public var current: (share: Double, factor: Int) { state.withLock { $0 } }

    /// The basket multiplier for one request: `factor` for a `share` of requests, else 1.
    public func basketMultiplier() -> Int {
        let (share, factor) = current
        return share > 0 && Double.random(in: 0..<1) < share ? factor : 1
    }
}
