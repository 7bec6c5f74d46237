import Agent

/// One profiler setting measured by the overhead scenario: flamelab's agent or a peer tool.
public struct OverheadConfiguration: Sendable, Codable, Hashable {
    public enum Tool: String, Sendable, Codable {
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
        tool == .flamelab ? "flamelab \(hz) Hz \(unwind)" : "\(tool.rawValue) \(hz) Hz"
    }

    public static func flamelab(_ hz: Int, _ unwind: UnwindMode) -> OverheadConfiguration {
        OverheadConfiguration(tool: .flamelab, hz: hz, unwind: unwind.rawValue)
    }

    /// The peer's command line against `pid` (nil for flamelab, which runs in-process).
    func peerCommand(pid: Int32, seconds: Double, output: String) -> [String]? {
        let duration = String(format: "%.1f", seconds)
        switch tool {
        case .flamelab: return nil
        case .perfFramePointer: return ["perf", "record", "-q", "-F", "\(hz)", "-g", "-p", "\(pid)", "-o", output, "--", "sleep", duration]
        case .perfDwarf: return ["perf", "record", "-q", "-F", "\(hz)", "--call-graph", "dwarf", "-p", "\(pid)", "-o", output, "--", "sleep", duration]
        case .bpftrace:
            return ["bpftrace", "-q", "-e", "profile:hz:\(hz) /pid == \(pid)/ { @[ustack, kstack] = count(); } interval:ms:\(Int(seconds * 1000)) { exit(); }"]
        }
    }
}
