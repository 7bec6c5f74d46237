import LabRuntime
import ProfileModel

/// One profiler setting measured by the overhead scenario: flamelab's agent, a peer tool, or none at
/// all (the A/A control, whose spread is the noise floor of the method).
public struct OverheadConfiguration: Sendable, Codable, Hashable {
    public enum Tool: Sendable, Codable, Hashable {
        case none
        case flamelab
        case peer(PeerTool)
        /// `perf record -F hz` with no call graph: the timer interrupt and a sample, the floor every
        /// sampling profiler pays.
        case floor

        var label: String {
            switch self {
            case .none: return "no profiler"
            case .flamelab: return "flamelab"
            case .peer(let tool): return tool.rawValue
            case .floor: return "perf (no call graph)"
            }
        }
    }

    public var tool: Tool
    public var hz: Int
    /// flamelab only: how it unwinds.
    public var unwind: UnwindMode?
    /// flamelab only: the Python walker, the Swift async walker and trace ids on (as the lab profiles).
    public var walkers = true

    public var label: String {
        switch tool {
        case .none: return "A/A control (no profiler)"
        case .flamelab: return "flamelab \(hz) Hz \(unwind?.rawValue ?? "")" + (walkers ? "" : " (no walkers, no trace ids)")
        case .peer(let peer): return "\(peer.rawValue) \(hz) Hz"
        case .floor: return "perf \(hz) Hz, no call graph (floor)"
        }
    }

    public static let control = OverheadConfiguration(tool: .none, hz: 0, unwind: nil)

    public static func flamelab(_ hz: Int, _ unwind: UnwindMode, walkers: Bool = true) -> OverheadConfiguration {
        OverheadConfiguration(tool: .flamelab, hz: hz, unwind: unwind, walkers: walkers)
    }

    public static func floor(_ hz: Int) -> OverheadConfiguration {
        OverheadConfiguration(tool: .floor, hz: hz, unwind: nil)
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
            return [labExecutable] + AgentCommandLine.record(pid: pid, hz: hz, unwind: unwind ?? .fp, python: walkers ? .auto : .off, extra: walkerFlags + [
                "--duration", "1h", "--bpf-stats", "--stats-json", "\(directory)/stats.json", "--ready-file", "\(directory)/ready",
                "-o", "\(directory)/profile.folded"])
        case .peer(let peer):
            return [peer.executable] + peer.arguments(pid: pid, hz: hz, output: peer == .bpftrace ? nil : "\(directory)/perf.data", seconds: nil)
        case .floor:
            return ["perf"] + floorArguments(pid: pid, output: "\(directory)/perf.data")
        }
    }

    private var walkerFlags: [String] { walkers ? [] : ["--no-swift-async", "--no-trace-ids"] }

    private func floorArguments(pid: Int32, output: String) -> [String] {
        ["record", "-q", "-F", "\(hz)", "-p", "\(pid)", "-o", output]
    }

    /// Whether it samples every task on a CPU and keeps the target's samples by pid in BPF (flamelab,
    /// bpftrace's `profile` probe), rather than binding its events to the target (perf `-p`): its timer
    /// interrupt then lands on whatever runs, the target or not.
    var interruptsEveryTask: Bool {
        tool == .flamelab || peer == .bpftrace
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
        case .flamelab:
            return ([AgentCommandLine.commandLine(pid: pid, hz: hz, unwind: unwind ?? .fp, python: walkers ? .auto : .off)] + walkerFlags).joined(separator: " ")
        case .peer(let peer): return peer.commandLine(pid: pid, hz: hz)
        case .floor: return (["perf"] + floorArguments(pid: pid, output: "perf.data")).joined(separator: " ")
        }
    }
}
