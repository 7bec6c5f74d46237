import Foundation

/// One process's CPU rate and resident memory between successive readings: what `lab agent`'s
/// status line and the soak's timeline show. CPU comes from `ProcessCPU.seconds` (the whole
/// process, exited threads included), so the rate never goes negative when a thread ends.
public struct ProcessUsageMeter: Sendable {
    public let pid: Int32
    private var last: (cpuSeconds: Double, time: Date)?

    /// Starts measuring from now.
    public init(pid: Int32) {
        self.pid = pid
        last = Self.reading(pid)
    }

    /// CPU milliseconds per second since the previous reading, and the resident bytes now; nil when
    /// the process is gone.
    public mutating func read() -> (cpuMsPerSecond: Double, rssBytes: Int)? {
        guard let now = Self.reading(pid), let rss = ProcessCPU.residentBytes(pid: pid) else { return nil }
        defer { last = now }
        guard let last else { return (0, rss) }
        let elapsed = max(now.time.timeIntervalSince(last.time), 1e-3)
        return (max(0, now.cpuSeconds - last.cpuSeconds) * 1000 / elapsed, rss)
    }

    private static func reading(_ pid: Int32) -> (cpuSeconds: Double, time: Date)? {
        guard let seconds = try? ProcessCPU.seconds(pid: pid) else { return nil }
        return (seconds, Date())
    }
}
