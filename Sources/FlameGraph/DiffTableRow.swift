import ProfileModel

/// One row of the differential view's "top changed functions" table, ready to print.
public struct DiffTableRow: Sendable, Equatable {
    public var function: String
    public var kind: FrameKind
    /// Self share in base and candidate, as fractions of each profile's own total.
    public var baseShare: Double
    public var candidateShare: Double
    /// Self sample counts (values) on both sides.
    public var baseCount: Int64
    public var candidateCount: Int64
    /// Two-sided p-value of the change (two-proportion test), nil when not computed.
    public var pValue: Double?
    /// Whether the change is significant at the number of samples collected.
    public var significant: Bool
    /// The function has no self samples in the base.
    public var isNew: Bool

    public init(function: String, kind: FrameKind, baseShare: Double, candidateShare: Double, baseCount: Int64,
                candidateCount: Int64, pValue: Double?, significant: Bool, isNew: Bool) {
        self.function = function
        self.kind = kind
        self.baseShare = baseShare
        self.candidateShare = candidateShare
        self.baseCount = baseCount
        self.candidateCount = candidateCount
        self.pValue = pValue
        self.significant = significant
        self.isNew = isNew
    }

    /// Candidate minus base share, in percentage points, signed: `+4.20 pp`.
    public var absoluteChangeText: String {
        let pp = (candidateShare - baseShare) * 100
        return (pp >= 0 ? "+" : "") + NumberFormat.fixed(pp, 2) + " pp"
    }

    /// Relative change of the share: `+35.0%`, or `new` when the base share is zero.
    public var relativeChangeText: String {
        guard baseShare > 0 else { return "new" }
        let rel = (candidateShare / baseShare - 1) * 100
        return (rel >= 0 ? "+" : "") + NumberFormat.fixed(rel, 1) + "%"
    }

    /// `p<0.001`, `p=0.042` or `-`.
    public var pValueText: String {
        guard let p = pValue else { return "-" }
        return p < 0.001 ? "p<0.001" : "p=" + NumberFormat.fixed(p, 3)
    }
}

extension DiffTableRow {
    /// The row for one of `ProfileDiff`'s changes; significant when its p-value is below `alpha`.
    public init(change: FunctionChange, alpha: Double) {
        self.init(function: change.name, kind: change.kind, baseShare: change.baseShare, candidateShare: change.candShare,
                  baseCount: change.baseSelf, candidateCount: change.candSelf, pValue: change.pValue,
                  significant: change.pValue < alpha, isNew: change.isNew)
    }
}
