/// How one function's self share changed from a base profile to a candidate.
///
/// Shares are fractions of each profile's own total (0.05 = 5%); `absoluteChange` is in the same
/// unit (0.01 = one percentage point). The test statistics treat each side as `sampleSize` draws
/// (see `FunctionStats.testSampleSize`).
public struct FunctionChange: Codable, Sendable, Equatable {
    public var name: String
    public var kind: FrameKind
    /// Self value in the base and candidate (sample counts for CPU, nanoseconds for off-CPU).
    public var baseSelf: Int64
    public var candSelf: Int64
    /// Self share of each side's own total.
    public var baseShare: Double
    public var candShare: Double
    /// Total (inclusive) share of each side's own total.
    public var baseTotalShare: Double
    public var candTotalShare: Double
    /// candShare - baseShare.
    public var absoluteChange: Double
    /// absoluteChange / baseShare; nil when the base share is 0.
    public var relativeChange: Double?
    /// Absent from the base (no samples at all), present in the candidate.
    public var isNew: Bool
    /// Present in the base, absent from the candidate.
    public var isGone: Bool
    /// Pooled two-proportion z statistic (positive = grew) and the two-sided p-value of Fisher's exact
    /// test, both widened by `dispersion` (see `ShareStatistics.twoProportionTest`).
    public var z: Double
    public var pValue: Double
    /// 95% confidence interval of candShare - baseShare (Wald, unpooled).
    public var ciLow: Double
    public var ciHigh: Double
    /// The variance inflation the test and interval used (`SampleDispersion`; 1 = independent samples).
    public var dispersion: Double = 1

    /// The change in percentage points.
    public var absoluteChangePoints: Double { absoluteChange * 100 }

    /// Its self share grew, or it is new in the candidate: what a regression looks like in a diff.
    public var grew: Bool { isNew || absoluteChange > 0 }
}
