import Synchronization

/// The planted incident: when on, a share of checkout requests price a basket `factor` times larger,
/// so the compute hotspot becomes much slower for them and the checkout SLO burns.
///
/// Which requests are slow is decided by a counter, not a coin: of every run of requests, exactly
/// `share` of them (to one request) take the slow path, so the incident is the same on every run.
public final class FaultSwitch: Sendable {
    private struct State {
        var share: Double
        var factor: Int
        /// Requests that asked for a multiplier since the switch was last set.
        var requests: UInt64
    }

    private let state = Mutex(State(share: 0, factor: 1, requests: 0))

    public init(share: Double = 0, factor: Int = 12) {
        set(share: share, factor: factor)
    }

    public func set(share: Double, factor: Int) {
        state.withLock { $0 = State(share: min(max(share, 0), 1), factor: max(factor, 1), requests: 0) }
    }

    public var current: (share: Double, factor: Int) { state.withLock { ($0.share, $0.factor) } }

    /// The basket multiplier for the next request: `factor` when the running count of slow requests
    /// steps up (request k is slow when floor((k+1) * share) > floor(k * share)), else 1.
    public func basketMultiplier() -> Int {
        state.withLock { s in
            let k = Double(s.requests)
            s.requests &+= 1
            return s.share > 0 && ((k + 1) * s.share).rounded(.down) > (k * s.share).rounded(.down) ? s.factor : 1
        }
    }
}
