/// How many samples per side a canary comparison needs for a known regression (`function`, new or
/// grown in the candidate) to be caught with the power the lab asks, planned from a short pilot
/// capture of both versions: the gate's detection, and the diff putting the function on top.
///
/// The plan is conservative on purpose: it takes a lower confidence bound of the function's pilot
/// share, an upper confidence bound of its variance ratio (estimated over many short blocks), and the
/// worst case of the gate's Bonferroni divisor (twice the top N). The other functions are assumed to
/// keep their baseline proportions and shrink to make room, which is what adding work does.
public struct CanarySizing: Codable, Sendable, Equatable {
    /// The function's full name as the pilot found it.
    public var function: String
    public var pilotBaseSamples: Double
    public var pilotCandidateSamples: Double
    /// The function's self share in the pilot's baseline and candidate.
    public var pilotBaseShare: Double
    public var pilotCandidateShare: Double
    /// The shares the plan uses: the baseline's as seen, the candidate's lower 99% bound.
    public var plannedBaseShare: Double
    public var plannedCandidateShare: Double
    /// The variance ratio seen in the pilot (over `pilotBlocks` blocks) and its upper 99% bound, used.
    public var pilotDispersion: Double
    public var plannedDispersion: Double
    public var pilotBlocks: Int
    /// The gate's alpha divided by twice its top N (the most functions it can test).
    public var alpha: Double
    /// The power asked of every check.
    public var target: Double
    /// The baseline shares of the other functions (the 40 largest), which the candidate shrinks.
    public var otherBaseShares: [Double]
    public var topN: Int
    /// Samples per side for the gate to flag the function with `target` power; nil if unreachable.
    public var gateSamples: Double?
    /// Samples per side for the diff's top changed function to be this one with `target` power.
    public var topChangeSamples: Double?

    /// Plans from a pilot; nil when the candidate pilot has no function whose name contains `function`.
    public static func plan(pilotBase: Profile, pilotCandidate: Profile, function: String, rule: GateRule = GateRule(),
                            target: Double = SamplingPower.target) -> CanarySizing? {
        let pilotBase = rule.testedProfile(pilotBase), pilotCandidate = rule.testedProfile(pilotCandidate)
        let base = FunctionStats(profile: pilotBase), cand = FunctionStats(profile: pilotCandidate)
        guard let planted = cand.functions.first(where: { $0.name.contains(function) && $0.selfValue > 0 }) else { return nil }
        let baseShare = base[planted.name]?.selfShare ?? 0
        let blocks = max(2, min(40, SampleDispersion.maximumBlocks(of: pilotCandidate)))
        let ratios = SampleDispersion.ratios(of: pilotCandidate, blocks: blocks)
        let dispersion = ratios[planted.name] ?? 1
        let planned = SamplingPower.dispersionUpperBound(dispersion, blocks: blocks)
        let others = base.functions.filter { $0.name != planted.name && $0.selfValue > 0 }.prefix(40).map(\.selfShare)
        var sizing = CanarySizing(
            function: planted.name, pilotBaseSamples: base.testSampleSize, pilotCandidateSamples: cand.testSampleSize,
            pilotBaseShare: baseShare, pilotCandidateShare: planted.selfShare, plannedBaseShare: baseShare,
            plannedCandidateShare: SamplingPower.shareLowerBound(planted.selfShare, samples: cand.testSampleSize, dispersion: planned),
            pilotDispersion: dispersion, plannedDispersion: planned, pilotBlocks: blocks,
            alpha: rule.alpha / Double(2 * rule.topN), target: target, otherBaseShares: Array(others), topN: rule.topN)
        sizing.gateSamples = SamplingPower.requiredSamples(wanted: target, limit: 1e6) { sizing.gatePower(samples: $0) }
        sizing.topChangeSamples = SamplingPower.requiredSamples(wanted: target, limit: 1e6) { sizing.topChangePower(samples: $0) }
        return sizing
    }

    /// The candidate's expected shares: the function at its planned share, the rest scaled to fit.
    private var scale: Double { (1 - plannedCandidateShare) / max(1e-9, 1 - plannedBaseShare) }

    /// The gate's power at `samples` per side: the function is significant and ranks in the top N.
    /// The plan is exact for a function new in the candidate (the lab's planted regression); one that
    /// only grew is planned as if new with its growth as its share, an approximation.
    public func gatePower(samples n: Double) -> Double {
        let outranked = otherBaseShares.dropFirst(max(topN - 1, 0)).map { $0 * scale }
        let ranks = SamplingPower.leaderHolds(leader: plannedCandidateShare, others: outranked, samples: n, dispersion: plannedDispersion)
        guard ranks > 0 else { return 0 }
        let growth = max(0, plannedCandidateShare - plannedBaseShare * scale)
        let significant = SamplingPower.newFunctionDetection(share: growth, baseSamples: n, candidateSamples: n,
                                                             dispersion: plannedDispersion, alpha: alpha)
        return max(0, significant + ranks - 1)
    }

    /// The power at `samples` per side of the diff ranking this function's change first.
    public func topChangePower(samples n: Double) -> Double {
        let leader = SamplingPower.Shares(base: plannedBaseShare, candidate: plannedCandidateShare)
        let others = otherBaseShares.map { SamplingPower.Shares(base: $0, candidate: $0 * scale) }
        return SamplingPower.topChange(leader: leader, others: others, n1: n, n2: n, dispersion: plannedDispersion)
    }

    /// Samples per side that give both conclusions the target power, if reachable.
    public var requiredSamples: Double? {
        guard let gate = gateSamples, let top = topChangeSamples else { return nil }
        return max(gate, top)
    }
}
