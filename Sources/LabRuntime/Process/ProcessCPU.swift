import ProfileModel
import Foundation

/// CPU time of a whole process from /proc/PID/stat (utime + stime, including exited threads).
public enum ProcessCPU {
    /// Seconds of CPU the process has used, or a `failed to read` error (e.g. the process exited).
    public static func seconds(pid: Int32) throws -> Double {
        let path = "/proc/\(pid)/stat"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let close = text.lastIndex(of: ")") else {
            throw FlamelabError("failed to read \(path): process \(pid) is gone")
        }
        // Fields after the command name: state is field 3; utime and stime are fields 14 and 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let utime = Double(fields[11]), let stime = Double(fields[12]) else {
            throw FlamelabError("failed to parse \(path): unexpected format")
        }
        return (utime + stime) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Nanosecond-precision CPU time of the process's live threads (sum of /proc/PID/task/*/schedstat).
    /// Threads that exited are not counted, so use it across intervals in which threads live on.
    public static func liveThreadNanoseconds(pid: Int32) throws -> UInt64 {
        let dir = "/proc/\(pid)/task"
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
            throw FlamelabError("failed to read \(dir): process \(pid) is gone")
        }
        return tasks.reduce(UInt64(0)) { sum, tid in
            let text = (try? String(contentsOfFile: "\(dir)/\(tid)/schedstat", encoding: .utf8)) ?? ""
            return sum + (text.split(separator: " ").first.flatMap { UInt64($0) } ?? 0)
        }
    }

    /// Resident set size in bytes, from /proc/PID/statm (nil when the process is gone).
    public static func residentBytes(pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
