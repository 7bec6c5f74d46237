import Foundation

/// The classic tracepoint fallback needs tracefs, which a fresh machine may not have mounted.
enum Tracefs {
    static let path = "/sys/kernel/tracing"

    /// Mounts tracefs when sched_switch's tracepoint is not visible. Returns nil on success, else why not.
    static func ensureMounted() -> String? {
        if FileManager.default.fileExists(atPath: path + "/events/sched/sched_switch") { return nil }
        if mount("nodev", path, "tracefs", 0, nil) != 0 {
            return "failed to mount tracefs on \(path): \(String(cString: strerror(errno)))"
        }
        return nil
    }
}
