import Foundation
import ProfileModel

/// One `perf record` with call chains on a process, started now and read when it ends: the reference
/// for stack completeness (the share of samples whose chain holds a given function, e.g. `main`).
public final class PerfCallChainRecording {
    /// `perf -g` (frame pointers) or `perf --call-graph dwarf`.
    public let tool: PeerTool
    /// The event sampled: nil for CPU samples at `hz`, or a tracepoint such as `sched:sched_switch`
    /// (every switch-out: off-CPU stacks).
    public let event: String?
    private let data: String
    private let process: ChildProcess
    private let seconds: Double

    /// Starts `perf record` on `pid` for `seconds`; its data goes to a private file in `directory`.
    public init(tool: PeerTool, pid: Int32, event: String?, hz: Int, seconds: Double, directory: String) throws {
        guard tool == .perfDwarf || tool == .perfFramePointer, let perf = tool.installedPath else {
            throw FlamelabError("failed to find perf for \(tool.rawValue): \(tool.installHint)")
        }
        self.tool = tool
        self.event = event
        self.seconds = seconds
        data = "\(directory)/perf-\(tool == .perfDwarf ? "dwarf" : "fp")-\(event?.replacingOccurrences(of: ":", with: "-") ?? "cpu")-\(pid).data"
        let callGraph = tool == .perfDwarf ? ["--call-graph", "dwarf"] : ["-g"]
        let source = event.map { ["-e", $0] } ?? ["-F", "\(hz)"]
        process = try ChildProcess(perf, ["record", "-q"] + callGraph + source + ["-p", "\(pid)", "-o", data, "--", "sleep", "\(seconds)"],
                                   output: "/dev/null")
    }

    /// The command line, for reports.
    public var commandLine: String {
        "perf record \(tool == .perfDwarf ? "--call-graph dwarf" : "-g") \(event.map { "-e \($0)" } ?? "-F <hz>") -p <pid>"
    }

    /// Waits for the recording to end, then counts its samples and those whose call chain holds
    /// `function` (as `perf script` names it).
    public func shareReaching(_ function: String) throws -> (share: Double, samples: Int) {
        defer { try? FileManager.default.removeItem(atPath: data) }
        guard process.wait(seconds: seconds + 60), process.exitStatus == 0 else {
            process.signal(SIGKILL)
            throw FlamelabError("failed to record with \(tool.rawValue): perf exited with \(process.exitStatus.map(String.init) ?? "no status")")
        }
        let script = data + ".txt"
        defer { try? FileManager.default.removeItem(atPath: script) }
        let report = try ChildProcess(tool.installedPath ?? "perf", ["script", "-i", data, "-F", "comm,ip,sym"], output: script, errors: "/dev/null")
        guard report.wait(seconds: 300), report.exitStatus == 0 else { throw FlamelabError("failed to read \(data) with perf script") }
        return Self.shareReaching(function, script: try String(contentsOfFile: script, encoding: .utf8))
    }

    /// `perf script -F comm,ip,sym` prints one block per sample: a header line, one indented
    /// `address symbol` line per frame, then a blank line.
    static func shareReaching(_ function: String, script text: String) -> (share: Double, samples: Int) {
        let blocks = text.components(separatedBy: "\n\n").filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        let reaching = blocks.filter { block in
            block.split(separator: "\n").dropFirst().contains { line in
                let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                return fields.count >= 2 && fields[1] == function
            }
        }.count
        return (Double(reaching) / Double(max(blocks.count, 1)), blocks.count)
    }
}
