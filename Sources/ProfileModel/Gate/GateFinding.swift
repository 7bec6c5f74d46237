/// One function that triggered the gate's rule, significant or not.
public struct GateFinding: Codable, Sendable, Equatable {
    public enum Trigger: String, Codable, Sendable {
        /// Entered the candidate's top N, absent from the baseline's.
        case enteredTopN = "entered-top-n"
        /// Self share grew by more than the allowed relative growth.
        case grew
    }

    public var trigger: Trigger
    public var function: String
    public var kind: FrameKind
    public var baseShare: Double
    public var candShare: Double
    /// nil when the function is new (base share 0).
    public var relativeChange: Double?
    public var pValue: Double
    /// The variance inflation the test used (1 = independent samples).
    public var dispersion: Double = 1
    /// True when the change passed the (corrected) significance test.
    public var significant: Bool
    /// True when the share rose by less than the rule's floor (`GateRule.minAbsoluteChange`).
    public var belowFloor: Bool = false
    /// Significant and above the floor: only these fail the gate.
    public var counts: Bool { significant && !belowFloor }
    /// 1-based rank by self value, nil when absent (no self samples).
    public var baseRank: Int?
    public var candRank: Int?
}
