import Foundation

/// The machine a report was measured on: every report states it.
public struct MachineInfo: Codable, Sendable {
    public var hostKernel: String
    public var cpus: Int
    public var memoryGiB: Double
    public var os: String
    public var date: String

    /// Reads the current machine (uname, /etc/os-release, /proc/meminfo).
    public static func current() -> MachineInfo {
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let osRelease = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8)) ?? ""
        let pretty = osRelease.split(separator: "\n").first { $0.hasPrefix("PRETTY_NAME=") }
            .map { $0.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) } ?? "unknown"
        let formatter = ISO8601DateFormatter()
        return MachineInfo(hostKernel: release, cpus: ProcessInfo.processInfo.activeProcessorCount,
                           memoryGiB: Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824, os: pretty,
                           date: formatter.string(from: Date()))
    }

    /// One line for a report header.
    public var summaryLine: String {
        String(format: "%@, kernel %@, %d CPUs, %.0f GiB, measured %@", os as NSString, hostKernel as NSString, cpus, memoryGiB, date as NSString)
    }
}
