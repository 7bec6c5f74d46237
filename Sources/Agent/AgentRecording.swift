import ProfileModel

/// The outcome of a recording: one profile per requested kind, and the run's statistics.
public struct AgentRecording: Sendable {
    public var profiles: [Profile]
    public var stats: AgentRunStats

    public init(profiles: [Profile], stats: AgentRunStats) {
        self.profiles = profiles
        self.stats = stats
    }

    /// The profile of `kind`, if it was recorded.
    public func profile(_ kind: ProfileKind) -> Profile? {
        profiles.first { $0.metadata.kind == kind }
    }
}
