/// Whether the samples collected can show the change the rule looks for.
public struct GateSampleSize: Codable, Sendable, Equatable {
    /// The smallest self share in the baseline's top N: the hardest top-N change to see.
    public var smallestTopShare: Double
    /// The smallest relative growth of that share detectable with `power` at the corrected alpha;
    /// nil when none is.
    public var minimumDetectableRelativeChange: Double?
    public var power: Double
    /// Samples per side needed to detect the rule's growth threshold at that share.
    public var samplesNeededPerSide: Double?
    /// minimumDetectableRelativeChange <= the rule's growth threshold.
    public var enough: Bool
}
