/// One application of a `GateRule` to two profiles' function statistics.
struct GateEvaluation {
    let rule: GateRule
    let base: FunctionStats
    let cand: FunctionStats

    func verdict() -> GateVerdict {
        let baseTop = base.top(rule.topN).map(\.name)
        let candTop = cand.top(rule.topN).map(\.name)
        let tested = candTop + baseTop.filter { !candTop.contains($0) }
        let correctedAlpha = rule.bonferroni ? rule.alpha / Double(max(tested.count, 1)) : rule.alpha
        var findings: [GateFinding] = []
        for name in tested {
            let change = ProfileDiff.change(of: name, base: base, candidate: cand)
            if let finding = finding(for: change, baseTop: baseTop, candTop: candTop, alpha: correctedAlpha) {
                findings.append(finding)
            }
        }
        let allChanges = ProfileDiff.compute(base: base, candidate: cand)
        let failing = findings.filter(\.counts)
        return GateVerdict(
            passed: failing.isEmpty, verdict: failing.isEmpty ? "pass" : "fail", rule: rule, valueName: Self.valueName(base.kind, unit: base.unit),
            reasons: failing, notSignificant: findings.filter { !$0.counts },
            topChanges: Array(allChanges.prefix(rule.tableRows)),
            baselineTop: baseTop, candidateTop: candTop,
            baselineSamples: base.testSampleSize, candidateSamples: cand.testSampleSize,
            testedFunctions: tested.count, correctedAlpha: correctedAlpha,
            sampleSize: sampleSizeNote(baseTop: baseTop, alpha: correctedAlpha))
    }

    static func valueName(_ kind: ProfileKind, unit: SampleValueUnit) -> String {
        switch kind {
        case .cpu: return "self CPU"
        case .offcpu: return "self off-CPU time"
        case .alloc: return unit == .allocations ? "self allocations" : "self allocated bytes"
        case .inuse: return unit == .allocations ? "self live allocations" : "self in-use bytes"
        case .faults: return "self page faults"
        }
    }

    private func rank(_ name: String, in stats: FunctionStats) -> Int? {
        guard let stat = stats[name], stat.selfValue > 0 else { return nil }
        return stats.functions.firstIndex { $0.name == name }.map { $0 + 1 }
    }

    /// The trigger `change` fires, if any, and whether it is significant.
    private func finding(for change: FunctionChange, baseTop: [String], candTop: [String], alpha: Double) -> GateFinding? {
        let grewPastThreshold = change.baseShare > 0
            ? (change.relativeChange ?? 0) > rule.maxRelativeGrowth
            : change.candShare > 0
        let entered = candTop.contains(change.name) && !baseTop.contains(change.name)
            && change.absoluteChange > 0
            && (!rule.entrantRequiresGrowth || grewPastThreshold)
        let trigger: GateFinding.Trigger
        if entered {
            trigger = .enteredTopN
        } else if grewPastThreshold && change.baseShare > 0 {
            trigger = .grew
        } else {
            return nil
        }
        let significant = change.z > 0 && change.pValue < alpha
        return GateFinding(trigger: trigger, function: change.name, kind: change.kind,
                           baseShare: change.baseShare, candShare: change.candShare,
                           relativeChange: change.relativeChange, pValue: change.pValue, dispersion: change.dispersion, significant: significant,
                           belowFloor: change.absoluteChange < rule.minAbsoluteChange,
                           baseRank: rank(change.name, in: base), candRank: rank(change.name, in: cand))
    }

    private func sampleSizeNote(baseTop: [String], alpha: Double) -> GateSampleSize {
        let shares = baseTop.compactMap { base[$0]?.selfShare }.filter { $0 > 0 }
        let smallest = shares.min() ?? 0
        let detectable = ShareStatistics.minimumDetectableRelativeChange(
            baseShare: smallest, n1: base.testSampleSize, n2: cand.testSampleSize, alpha: alpha, power: rule.power)
        let needed = ShareStatistics.requiredSamples(baseShare: smallest, relativeChange: rule.maxRelativeGrowth,
                                                     alpha: alpha, power: rule.power)
        return GateSampleSize(smallestTopShare: smallest, minimumDetectableRelativeChange: detectable,
                              power: rule.power, samplesNeededPerSide: needed,
                              enough: detectable.map { $0 <= rule.maxRelativeGrowth } ?? false)
    }
}
