/// A process's life as /proc shows it.
public enum ProcessStatus {
    /// True while `pid` exists and is not a zombie (state Z) or dead (X). Reads /proc/PID/stat with
    /// plain read(2) and looks at bytes: the agent asks this of every target every second, and the
    /// Foundation string path it replaced was a third of an idle agent's CPU.
    public static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0, let stat = try? ProcFile.readBytes("/proc/\(pid)/stat"),
              let close = stat.lastIndex(of: UInt8(ascii: ")")) else { return false }
        // The state follows the command name's closing parenthesis and a space.
        guard let state = stat[(close + 1)...].first(where: { $0 != UInt8(ascii: " ") }) else { return false }
        return state != UInt8(ascii: "Z") && state != UInt8(ascii: "X")
    }
}
