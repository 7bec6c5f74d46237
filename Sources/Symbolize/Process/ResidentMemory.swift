#if canImport(Glibc)
import Glibc
#endif

/// A process's resident memory as /proc/PID/status shows it, split by what backs it: anonymous pages
/// are the process's own (heap, stacks, BPF ring buffers it mapped); file pages are clean pages of its
/// executable and shared libraries, which every process mapping the same files shares.
public struct ResidentMemory: Sendable, Equatable, Codable {
    /// `VmHWM`: the high-water mark of the resident set.
    public var peakBytes: Int
    /// `VmRSS`, `RssAnon`, `RssFile` now.
    public var residentBytes: Int
    public var anonymousBytes: Int
    public var fileBytes: Int

    /// Reads `/proc/<pid>/status` (`self` for this process); nil when it cannot be read.
    public static func read(pid: String = "self") -> ResidentMemory? {
        guard let text = try? ProcFile.read("/proc/\(pid)/status") else { return nil }
        return parse(status: text)
    }

    /// Parses the text of a status file; nil when a field is missing.
    public static func parse(status text: String) -> ResidentMemory? {
        var kib: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ":" })
            guard parts.count >= 2, let value = Int(parts[1]) else { continue }
            kib[String(parts[0])] = value
        }
        guard let peak = kib["VmHWM"], let rss = kib["VmRSS"], let anon = kib["RssAnon"], let file = kib["RssFile"] else { return nil }
        return ResidentMemory(peakBytes: peak * 1024, residentBytes: rss * 1024, anonymousBytes: anon * 1024, fileBytes: file * 1024)
    }
}
