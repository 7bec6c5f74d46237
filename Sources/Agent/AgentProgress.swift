/// The run so far, as `Agent.onProgress` reports it about once a second.
public struct AgentProgress: Sendable {
    /// Samples (CPU samples and off-CPU intervals) received.
    public var samples: Int
    /// Events lost to a full ring buffer or off-CPU map.
    public var drops: UInt64
    public var elapsedSeconds: Double
    /// The configured duration, nil when the run lasts until stopped.
    public var durationSeconds: Double?

    /// One line for a terminal: `recording: 1234 samples, 0 drops, 3.0s / 10s`.
    public var line: String {
        let total = durationSeconds.map { String(format: " / %.0fs", $0) } ?? ""
        return "recording: \(samples) samples, \(drops) drops, \(String(format: "%.1fs", elapsedSeconds))\(total)"
    }
}
