/// Decides which of an SLO's multiwindow burn-rate alerts fire: the one alert logic the drill and
/// `lab serve` share.
public struct AlertEvaluator: Sendable {
    /// One alert's two windows at a scrape.
    public struct WindowStatus: Sendable {
        public var alert: SLODefinition.BurnRateAlert
        public var longBurnRate: Double
        public var shortBurnRate: Double
        /// Requests in the long window: below `warmUpRequests` its burn rate is not yet evidence.
        public var longWindowRequests: Double

        /// The alert's rule holds and the window has enough requests to be believed.
        public var firing: Bool {
            alert.fires(longBurnRate: longBurnRate, shortBurnRate: shortBurnRate) && longWindowRequests >= AlertEvaluator.warmUpRequests
        }
    }

    /// Warm-up guard: a long window holding fewer requests is no evidence (one slow first request
    /// would read as a 100% error ratio and page).
    public static let warmUpRequests = 50.0

    public let slo: SLODefinition

    public init(slo: SLODefinition) {
        self.slo = slo
    }

    /// Every alert's windows at the latest scrape of `history` (empty before the first scrape).
    public func windows(_ history: BurnRateHistory) -> [WindowStatus] {
        guard !history.points.isEmpty else { return [] }
        let last = history.points.count - 1
        return slo.alerts.map { alert in
            WindowStatus(alert: alert, longBurnRate: history.burnRate(at: last, windowSeconds: alert.longWindowSeconds),
                         shortBurnRate: history.burnRate(at: last, windowSeconds: alert.shortWindowSeconds),
                         longWindowRequests: history.requests(at: last, windowSeconds: alert.longWindowSeconds))
        }
    }

    /// The first alert firing at the latest scrape, if any.
    public func firing(_ history: BurnRateHistory) -> WindowStatus? {
        windows(history).first(where: \.firing)
    }
}
