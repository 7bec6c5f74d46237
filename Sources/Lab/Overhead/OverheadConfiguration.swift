import Agent

/// One profiler setting measured by the overhead scenario: flamelab's agent, a peer tool, or none at
/// all (the A/A control, whose spread is the noise floor of the method).
public struct OverheadConfiguration: Sendable, Codable, Hashable {
    public enum Tool: String, Sendable, Codable {
        case none = "no profiler"
        case flamelab
        case perfFramePointer = "perf -g"
        case perfDwarf = "perf --call-graph dwarf"
        case bpftrace
    }

    public var tool: Tool
    public var hz: Int
    /// flamelab only: fp or dwarf.
    public var unwind: String

    public var label: String {
        switch tool {
        case .none: return "A/A control (no profiler)"
        case .flamelab: return "flamelab \(hz) Hz \(unwind)"
        default: return "\(tool.rawValue) \(hz) Hz"
        }
    }

    public static let control = OverheadConfiguration(tool: .none, hz: 0, unwind: "-")

    public static func flamelab(_ hz: Int, _ unwind: UnwindMode) -> OverheadConfiguration {
        OverheadConfiguration(tool: .flamelab, hz: hz, unwind: unwind.rawValue)
    }

    /// The command that profiles `pid` until SIGINT, its files in `directory` (empty for the control).
    /// flamelab runs with trace correlation and the Python walker on, as the service is profiled in the lab.
    func command(pid: Int32, labExecutable: String, directory: String) -> [String] {
        switch tool {
        case .none: return []
        case .flamelab:
            return [labExecutable, "record", "--pid", "\(pid)", "--hz", "\(hz)", "--kind", "cpu", "--unwind", unwind, "--python", "auto",
                    "--duration", "1h", "--bpf-stats", "--stats-json", "\(directory)/stats.json", "--ready-file", "\(directory)/ready",
                    "-o", "\(directory)/profile.folded"]
        case .perfFramePointer: return ["perf", "record", "-q", "-F", "\(hz)", "-g", "-p", "\(pid)", "-o", "\(directory)/perf.data"]
        case .perfDwarf: return ["perf", "record", "-q", "-F", "\(hz)", "--call-graph", "dwarf", "-p", "\(pid)", "-o", "\(directory)/perf.data"]
        case .bpftrace:
            return ["bpftrace", "-e", "profile:hz:\(hz) /pid == \(pid)/ { @[ustack, kstack] = count(); }"]
        }
    }

    /// The command line as a reader would type it.
    func commandLine(pid: Int32) -> String {
        switch tool {
        case .none: return "-"
        case .flamelab: return "lab record --pid \(pid) --hz \(hz) --kind cpu --unwind \(unwind) --python auto"
        case .perfFramePointer: return "perf record -F \(hz) -g -p \(pid)"
        case .perfDwarf: return "perf record -F \(hz) --call-graph dwarf -p \(pid)"
        case .bpftrace: return "bpftrace -e 'profile:hz:\(hz) /pid == \(pid)/ { @[ustack, kstack] = count(); }'"
        }
    }
}
