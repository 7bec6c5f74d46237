import Agent
import ProfileModel

/// Receives the profiles of a finished recording (files, the profile store, a test). The agent
/// hands its profiles on and writes no files; sinks do.
public protocol ProfileSink {
    /// Takes the profiles of one recording and the run's statistics. Throws `failed to ...` errors.
    func write(_ profiles: [Profile], stats: AgentRunStats) throws
}
