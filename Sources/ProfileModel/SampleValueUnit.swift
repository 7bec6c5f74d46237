/// What one sample value counts, so that every report, caption and page states it in its own unit.
public enum SampleValueUnit: String, Codable, Sendable, CaseIterable {
    /// CPU: samples taken at the profile's rate.
    case samples
    /// Off-CPU: nanoseconds blocked.
    case nanoseconds
    /// Memory, `space` (the default): estimated bytes.
    case bytes
    /// Memory, `objects`: estimated allocations.
    case allocations
    /// Page faults: estimated faults.
    case faults

    /// What a flame graph's width is a share of, in words.
    public var measure: String {
        switch self {
        case .samples: return "samples"
        case .nanoseconds: return "off-CPU time"
        case .bytes: return "estimated bytes"
        case .allocations: return "estimated allocations"
        case .faults: return "estimated page faults"
        }
    }
}
