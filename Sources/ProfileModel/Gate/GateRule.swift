/// The deploy gate's rule: fail when a function enters the top N by self value that was not in the
/// baseline's top N, or when a top-N function's self share grows by more than `maxRelativeGrowth`.
///
/// Noise guard: a trigger counts only when the change is significant at the samples collected —
/// Fisher's exact test of the function's self share (base against candidate), two-sided, its counts
/// shrunk by the batch-means variance ratio of correlated samples (`SampleDispersion`),
/// at level `alpha` divided by the number of functions tested (the union of both top-N lists):
/// a Bonferroni correction, so that looking at ~N functions at once keeps the family-wise false
/// alarm rate at or below `alpha`. Triggers that fail the test are reported as "not significant"
/// and do not fail the gate.
///
/// Level: `alpha` is 0.01 by default, not 0.05. The test's model (samples drawn independently from a
/// fixed mix) leaves out that the machine itself changes between two captures: at 0.05, two of twenty
/// A/A comparisons of the same build failed, both on kernel symbols where deferred timer interrupts
/// land (`_raw_spin_unlock_irq` 2 -> 13 samples, exact p = 0.007; `_raw_spin_unlock_irqrestore`
/// 17 -> 35). A regression worth failing a deploy for stands far below 0.01 at canary sample counts.
///
/// Floor (off by default): `minAbsoluteChange` also requires the share to rise by at least that much.
///
/// Entrants: by default (`entrantRequiresGrowth`) a function that enters the top N must also have
/// grown by more than `maxRelativeGrowth` or be new (absent from the baseline); a mere rank swap
/// between two functions of nearly equal share is not a regression. Set it to false for the
/// literal rule (any significant rise into the top N fails).
///
/// Kernel time: by default (`kernelTime == .exclude`) CPU samples whose leaf is in the kernel are left
/// out of the test, and the verdict reports the kernel's share of each profile beside it
/// (`GateKernelTime` says why).
public struct GateRule: Codable, Sendable, Equatable {
    /// How many top functions by self value the rule watches (the brief's 5).
    public var topN: Int
    /// Relative growth of a self share that fails the gate (0.15 = 15%).
    public var maxRelativeGrowth: Double
    /// Smallest rise of a self share, in share units (0.02 = 2 percentage points), that can fail the gate; 0 = none.
    public var minAbsoluteChange: Double
    /// Family-wise significance level before correction.
    public var alpha: Double
    /// Divide `alpha` by the number of functions tested (Bonferroni).
    public var bonferroni: Bool
    public var entrantRequiresGrowth: Bool
    /// Power used to state the minimum detectable change at the collected sample counts.
    public var power: Double
    /// Rows of the changed-functions table in the verdict.
    public var tableRows: Int
    /// Whether CPU samples taken in the kernel are tested (`GateKernelTime`).
    public var kernelTime: GateKernelTime

    public init(topN: Int = 5, maxRelativeGrowth: Double = 0.15, minAbsoluteChange: Double = 0, alpha: Double = 0.01,
                bonferroni: Bool = true, entrantRequiresGrowth: Bool = true, power: Double = 0.8, tableRows: Int = 5,
                kernelTime: GateKernelTime = .exclude) {
        self.topN = topN
        self.maxRelativeGrowth = maxRelativeGrowth
        self.minAbsoluteChange = minAbsoluteChange
        self.alpha = alpha
        self.bonferroni = bonferroni
        self.entrantRequiresGrowth = entrantRequiresGrowth
        self.power = power
        self.tableRows = tableRows
        self.kernelTime = kernelTime
    }

    /// The rule and its statistics in a paragraph, for `lab gate --help` and the README.
    public static let explanation = """
        The gate fails when a function enters the top N (default 5) by self value that was not in \
        the baseline's top N, or when a top-N function's self share (of its own profile's total) grows \
        by more than X% relative (default 15%). An entrant must also be new or have grown by more than \
        X%, so a rank swap between two near-equal functions is not a regression. Noise guard: a trigger \
        counts only when it is significant at the samples collected: Fisher's exact test of the self \
        share (base against candidate), two-sided, at alpha (default 0.01: at 0.05 two of twenty A/A \
        comparisons of one build failed on kernel symbols) divided by the number of functions tested \
        (Bonferroni over the union of both top-N lists), with counts shrunk by how much more the share \
        varies between time blocks of each profile than independent samples would (batch means). An \
        optional floor (--min-change) also requires a rise of that many percentage points. Triggers that do \
        not count are listed as such and do not fail. The verdict also states the smallest relative growth of the smallest \
        top-N share that the samples can detect with 80% power, and how many samples per side would \
        be needed to see X%. CPU profiles test sample counts; off-CPU profiles test shares of blocked \
        time with the number of samples as n (an approximation). CPU samples taken in the kernel are left \
        out of the test by default (--kernel include tests them): a shared machine's interrupts and lock \
        contention land there, and once failed an A/A comparison of one build; the verdict reports the \
        kernel's share of both profiles beside it.
        """

    /// Applies the rule to a baseline and a candidate profile.
    public func evaluate(baseline: Profile, candidate: Profile) throws -> GateVerdict {
        guard topN >= 1, maxRelativeGrowth >= 0, minAbsoluteChange >= 0, alpha > 0, alpha < 1, power > 0, power < 1 else {
            throw FlamelabError.failed("evaluate", "gate", "invalid rule (top N >= 1, growth >= 0, floor >= 0, 0 < alpha < 1, 0 < power < 1)", code: .input)
        }
        guard baseline.metadata.kind == candidate.metadata.kind else {
            throw FlamelabError.failed("evaluate", "gate", "baseline is \(baseline.metadata.kind.rawValue) but candidate is \(candidate.metadata.kind.rawValue)", code: .input)
        }
        let gatedBase = testedProfile(baseline), gatedCand = testedProfile(candidate)
        let base = FunctionStats(profile: gatedBase), cand = FunctionStats(profile: gatedCand)
        guard base.total > 0 else { throw noSamples("baseline", of: baseline) }
        guard cand.total > 0 else { throw noSamples("candidate", of: candidate) }
        var verdict = GateEvaluation(rule: self, base: base, cand: cand).verdict()
        if filtersKernel(baseline) {
            verdict.kernelShare = GateVerdict.KernelShare(baseline: Self.leftOutShare(baseline, tested: gatedBase),
                                                          candidate: Self.leftOutShare(candidate, tested: gatedCand))
        }
        return verdict
    }

    /// The samples of `profile` the rule tests: all of them, except CPU samples whose leaf frame is in
    /// the kernel when `kernelTime` is `.exclude`. Canary sizing plans on the same view.
    public func testedProfile(_ profile: Profile) -> Profile {
        guard filtersKernel(profile) else { return profile }
        return profile.keepingSamples { sample in
            guard let leaf = profile.stacks[sample.stackID].last else { return true }
            return profile.frames[Int(leaf)].kind != .kernel
        }
    }

    private func filtersKernel(_ profile: Profile) -> Bool {
        kernelTime == .exclude && profile.metadata.kind == .cpu
    }

    private static func leftOutShare(_ profile: Profile, tested: Profile) -> Double {
        let total = profile.totalValue
        return total > 0 ? Double(total - tested.totalValue) / Double(total) : 0
    }

    private func noSamples(_ side: String, of profile: Profile) -> FlamelabError {
        let reason = profile.totalValue > 0
            ? "the \(side) has no user-space samples (all \(profile.samples.count) are in the kernel; --kernel include tests them)"
            : "the \(side) has no samples"
        return FlamelabError.failed("evaluate", "gate", reason, code: .input)
    }
}
