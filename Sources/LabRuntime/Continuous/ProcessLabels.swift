import Foundation

/// The labels a window of one process is stored with: its executable's name and, when it is a
/// service instance the lab started, the service and its version.
public struct ProcessLabels: Sendable, Equatable {
    public var command: String
    public var service: String?
    public var version: String?

    public init(command: String, service: String? = nil, version: String? = nil) {
        self.command = command
        self.service = service
        self.version = version
    }

    /// The executable's name of `pid` (/proc/PID/comm: the name, never the arguments).
    public static func command(of pid: Int32) -> String {
        ((try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
