import Foundation

/// A process's life as /proc shows it.
public enum ProcessStatus {
    /// True while `pid` exists and is not a zombie (state Z) or dead (X).
    public static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        // The state follows the command name's closing parenthesis.
        let rest = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces)
        return !(rest.hasPrefix("Z") || rest.hasPrefix("X"))
    }
}
