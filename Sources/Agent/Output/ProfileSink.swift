import ProfileModel

/// Receives the profiles of a finished recording (files, the profile store, a test).
public protocol ProfileSink {
    /// Takes the profiles of one recording and the run's statistics. Throws `failed to ...` errors.
    func write(_ profiles: [Profile], stats: AgentRunStats) throws
}
