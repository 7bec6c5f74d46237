import Foundation
import LabRuntime

/// Everything the blind-spot scenario measured (results/blindspot/blindspot.json).
public struct BlindspotResult: Sendable, Codable {
    public var taxLines: Int
    /// The janitor's thread, found as the only busy thread of the idle service.
    public var janitorTID: Int32
    public var main: SamplingSession.Result
    public var mainWindowSeconds: Double
    /// Short sessions at the aliasing rates, each with fresh perf events (a fresh timer phase).
    public var aliasingSessions: [SamplingSession.Result]
    public var aliasingSessionSeconds: Double
    public var uprobes: UprobeTruthMeasurement.Result
    public var uprobeCost: UprobeCostMeasurement.Result
    public var loadRequests: Int
    public var loadFailures: Int
}

/// Summary statistics of one rate's short-window estimates against each window's truth.
public struct WindowSpread: Sendable, Codable {
    public var hz: Int
    public var windows: Int
    /// Windows in which no sample of the process fell at all (left out of every other figure).
    public var emptyWindows: Int
    public var meanShare: Double
    /// Standard deviation of (estimate - window truth) across windows.
    public var errorSD: Double
    /// Standard deviation of the estimates themselves (no per-window truth noise in it).
    public var shareSD: Double
    /// The same spread, robustly: sqrt(pi/2) × the mean absolute deviation from the median (the SD for
    /// normal data) over the windows left when the 10% farthest from the median are set aside, so a
    /// disturbed window (the machine stalling the load for part of a second) does not inflate it; and
    /// unlike the median absolute deviation it does not collapse on the
    /// lattice of 19 Hz estimates (multiples of 1/19 per CPU), where most windows share one value
    /// (2 of 11 quick runs judged 3.0 vs 0.8 pp plain SD as 1.5 vs 1.0 pp by the MAD).
    public var shareRobustSD: Double = 0
    public var minShare: Double
    public var maxShare: Double
    public var meanHalfWidth: Double
    public var meanSamples: Double
    /// Windows whose 95% interval contains that window's truth.
    public var coverage: Double
    /// Windows whose interval lies entirely below the truth (under-represented) / above it.
    public var below: Int
    public var above: Int

    public init(hz: Int, estimates: [ShareEstimate], truths: [Double]) {
        let pairs = zip(estimates, truths).filter { $0.0.samples > 0 }
        let errors = pairs.map { $0.0.share - $0.1 }
        let meanError = errors.isEmpty ? 0 : errors.reduce(0, +) / Double(errors.count)
        self.hz = hz
        windows = pairs.count
        emptyWindows = estimates.filter { $0.samples == 0 }.count
        meanShare = pairs.isEmpty ? 0 : pairs.map(\.0.share).reduce(0, +) / Double(pairs.count)
        errorSD = errors.count < 2 ? 0 : (errors.map { ($0 - meanError) * ($0 - meanError) }.reduce(0, +) / Double(errors.count - 1)).squareRoot()
        let shares = pairs.map(\.0.share)
        let meanOfShares = shares.isEmpty ? 0 : shares.reduce(0, +) / Double(shares.count)
        shareSD = shares.count < 2 ? 0 : (shares.map { ($0 - meanOfShares) * ($0 - meanOfShares) }.reduce(0, +) / Double(shares.count - 1)).squareRoot()
        if let median = Statistics.median(shares), !shares.isEmpty {
            let deviations = shares.map { abs($0 - median) }.sorted()
            let kept = deviations.prefix(deviations.count - Int((Double(deviations.count) * 0.1).rounded(.up)))
            shareRobustSD = kept.isEmpty ? 0 : (Double.pi / 2).squareRoot() * kept.reduce(0, +) / Double(kept.count)
        }
        minShare = pairs.map(\.0.share).min() ?? 0
        maxShare = pairs.map(\.0.share).max() ?? 0
        meanHalfWidth = pairs.isEmpty ? 0 : pairs.map(\.0.halfWidth).reduce(0, +) / Double(pairs.count)
        meanSamples = pairs.isEmpty ? 0 : Double(pairs.map(\.0.samples).reduce(0, +)) / Double(pairs.count)
        coverage = pairs.isEmpty ? 0 : Double(pairs.filter { $0.0.covers($0.1) }.count) / Double(pairs.count)
        below = pairs.filter { $0.0.upper < $0.1 }.count
        above = pairs.filter { $0.0.lower > $0.1 }.count
    }

    /// How much more the window estimates vary than independent samples would (at least 1). It also
    /// holds the true share's own movement between windows, so it errs on the wide side.
    public var varianceRatio: Double {
        let binomial = meanShare * (1 - meanShare) / max(meanSamples, 1)
        return binomial > 0 ? max(1, shareSD * shareSD / binomial) : 1
    }
}
