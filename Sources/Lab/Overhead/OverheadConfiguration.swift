import LabRuntime
import ProfileModel

/// One profiler setting measured by the overhead scenario: flamelab's agent, a peer tool, or none at
/// all (the A/A control, whose spread is the noise floor of the method).
public struct OverheadConfiguration: Sendable, Codable, Hashable {
    public enum Tool: Sendable, Codable, Hashable {
        case none
        case flamelab
        case peer(PeerTool)

        var label: String {
            switch self {
            case .none: return "no profiler"
            case .flamelab: return "flamelab"
            case .peer(let tool): return tool.rawValue
            }
        }
    }

    public var tool: Tool
    public var hz: Int
    /// flamelab only: how it unwinds.
    public var unwind: UnwindMode?

    public var label: String {
        switch tool {
        case .none: return "A/A control (no profiler)"
        case .flamelab: return "flamelab \(hz) Hz \(unwind?.rawValue ?? "")"
        case .peer(let peer): return "\(peer.rawValue) \(hz) Hz"
        }
    }

    public static let control = OverheadConfiguration(tool: .none, hz: 0, unwind: nil)

    public static func flamelab(_ hz: Int, _ unwind: UnwindMode) -> OverheadConfiguration {
        OverheadConfiguration(tool: .flamelab, hz: hz, unwind: unwind)
    }

    public static func peer(_ tool: PeerTool, _ hz: Int) -> OverheadConfiguration {
        OverheadConfiguration(tool: .peer(tool), hz: hz, unwind: nil)
    }

    /// The command that profiles `pid` until SIGINT, its files in `directory` (empty for the control).
    /// flamelab runs with trace correlation and the Python walker on, as the service is profiled in the lab.
    func command(pid: Int32, labExecutable: String, directory: String) -> [String] {
        switch tool {
        case .none: return []
        case .flamelab:
            return [labExecutable] + AgentCommandLine.record(pid: pid, hz: hz, unwind: unwind ?? .fp, extra: [
                "--duration", "1h", "--bpf-stats", "--stats-json", "\(directory)/stats.json", "--ready-file", "\(directory)/ready",
                "-o", "\(directory)/profile.folded"])
        case .peer(let peer):
            return [peer.executable] + peer.arguments(pid: pid, hz: hz, output: peer == .bpftrace ? nil : "\(directory)/perf.data", seconds: nil)
        }
    }

    /// The peer tool, for a peer configuration.
    var peer: PeerTool? {
        if case .peer(let tool) = tool { return tool }
        return nil
    }

    /// The command line as a reader would type it.
    func commandLine(pid: Int32) -> String {
        switch tool {
        case .none: return "-"
        case .flamelab: return AgentCommandLine.commandLine(pid: pid, hz: hz, unwind: unwind ?? .fp)
        case .peer(let peer): return peer.commandLine(pid: pid, hz: hz)
        }
    }
}
