/// A continuous agent's counts so far: what its status line and its `--stats-json` say.
public struct ContinuousAgentStatus: Sendable, Codable, Equatable {
    public var windowsCut = 0
    public var windowsWritten = 0
    /// Window rows written (one per kind and process of a window).
    public var rowsWritten = 0
    public var samplesWritten = 0
    public var drops: UInt64 = 0
    public var unreadable: UInt64 = 0
    /// Windows dropped because the store could not be written for too long (each also said).
    public var windowsLost = 0
    public var windowsPending = 0
    public var lastWriteError: String?
    /// Agent process CPU over the last status interval, ms per second, and its resident memory.
    public var agentCPUMsPerSecond = 0.0
    public var agentRSSBytes = 0
    /// Of that, the malloc heap in use (the rest is code, the ring buffer, and free heap not yet returned).
    public var agentHeapBytes = 0
    public var storeBytes: Int64 = 0
    /// The process ids followed now.
    public var targets: [Int32] = []
    /// The Pyroscope push, when one is configured.
    public var pyroscope: PyroscopePusher.Counts?

    /// The line logged every status interval.
    public var line: String {
        String(format: "lab agent: %d windows written (%d rows, %d samples), %d pending, %d lost; %llu drops, %llu unreadable stacks; agent CPU %.2f ms/s, RSS %.1f MiB (heap %.1f MiB in use); store %.1f MiB; targets %@",
               windowsWritten, rowsWritten, samplesWritten, windowsPending, windowsLost, drops, unreadable, agentCPUMsPerSecond,
               Double(agentRSSBytes) / 1_048_576, Double(agentHeapBytes) / 1_048_576, Double(storeBytes) / 1_048_576,
               targets.isEmpty ? "all" : targets.map(String.init).joined(separator: ",")) + pyroscopeLine
    }

    private var pyroscopeLine: String {
        guard let p = pyroscope else { return "" }
        return "; Pyroscope: \(p.pushed) pushed, \(p.pending) pending, \(p.dropped) dropped, \(p.failedAttempts) failed attempts" + (p.lastError.map { " (\($0))" } ?? "")
    }
}
