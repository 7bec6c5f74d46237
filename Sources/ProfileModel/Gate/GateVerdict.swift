/// The outcome of `GateRule.evaluate`: pass or fail, why, and the evidence. Codable for `--json`;
/// `GateCommentRenderer` turns it into a PR comment.
public struct GateVerdict: Codable, Sendable, Equatable {
    /// False when at least one significant trigger fired (the CLI exits 1).
    public var passed: Bool
    /// `pass` or `fail` (the same fact as `passed`, for readers of the JSON).
    public var verdict: String
    public var rule: GateRule
    /// `self CPU` or `self off-CPU time`.
    public var valueName: String
    /// Significant triggers: why the gate failed (empty when it passed).
    public var reasons: [GateFinding]
    /// Triggers that were not significant at the samples collected, or rose less than the floor: reported, not counted.
    public var notSignificant: [GateFinding]
    /// The most changed functions by |absolute self-share change|.
    public var topChanges: [FunctionChange]
    public var baselineTop: [String]
    public var candidateTop: [String]
    /// Sample sizes used by the tests (see `FunctionStats.testSampleSize`).
    public var baselineSamples: Double
    public var candidateSamples: Double
    /// Functions tested (union of both top-N lists) and the per-test level after correction.
    public var testedFunctions: Int
    public var correctedAlpha: Double
    public var sampleSize: GateSampleSize
    /// CPU profiles with kernel time left out of the test (`GateKernelTime.exclude`): the kernel's
    /// share of each whole profile, reported beside the verdict; nil when nothing was left out.
    public var kernelShare: KernelShare?

    /// The share of a whole CPU profile whose leaf frame is in the kernel.
    public struct KernelShare: Codable, Sendable, Equatable {
        public var baseline: Double
        public var candidate: Double
    }
}
