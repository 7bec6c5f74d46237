import Foundation

/// Finding a program the lab runs (perf, bpftrace, py-spy, python3): PATH, then the system directories.
public enum ExecutablePath {
    /// The first executable file called `name` on PATH or in /usr/bin, /usr/sbin, /usr/local/bin.
    public static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let candidates = path.split(separator: ":").map { "\($0)/\(name)" } + ["/usr/bin/\(name)", "/usr/sbin/\(name)", "/usr/local/bin/\(name)"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
