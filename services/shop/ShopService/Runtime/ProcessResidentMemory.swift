import Foundation

/// The process's resident set, as Prometheus client libraries export it (`process_resident_memory_bytes`):
/// resident pages from /proc/self/statm times the page size.
enum ProcessResidentMemory {
    /// Bytes resident now; nil when /proc cannot be read (not Linux, or /proc not mounted).
    static func bytes() -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .ascii) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = UInt64(fields[1]) else { return nil }
        return pages * UInt64(sysconf(Int32(_SC_PAGESIZE)))
    }
}
