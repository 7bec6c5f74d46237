import ProfileModel
import Foundation
import LabRuntime

/// Runs one peer profiler (`perf record` or bpftrace) against a pid for a fixed time, in the
/// background, and turns its output into `StackSamples` afterwards. Raw files stay in `workDirectory`.
/// `@unchecked Sendable`: started, awaited and collected by the one thread that runs the measurement; never shared while running.
public final class PeerProfiler: @unchecked Sendable {
    public let setup: ProfilerSetup
    private let pid: Int32
    private let hz: Int
    private let seconds: Double
    private let workDirectory: String
    private var process: ChildProcess?
    private var startError: String?
    /// Set when the tool had to be stopped with SIGINT (it then exits non-zero after writing its data).
    private var interrupted = false

    public init(setup: ProfilerSetup, pid: Int32, hz: Int, seconds: Double, workDirectory: String) {
        self.setup = setup
        self.pid = pid
        self.hz = hz
        self.seconds = seconds
        self.workDirectory = workDirectory
    }

    /// Starts the tool; a missing tool is remembered and reported by `collect`, not thrown.
    public func start() {
        guard let tool = setup.peer else {
            startError = "failed to start \(setup.label): not a peer tool"
            return
        }
        guard let executable = tool.installedPath else {
            startError = "\(tool.executable) not found on PATH (\(tool.installHint))"
            return
        }
        let output = "\(workDirectory)/\(fileStem)" + (tool == .bpftrace ? ".txt" : ".data")
        do {
            process = try ChildProcess(executable, tool.arguments(pid: pid, hz: hz, output: output, seconds: seconds),
                                       output: "\(workDirectory)/\(fileStem).log", environment: tool.environment)
        } catch {
            startError = "failed to start \(tool.executable): \(error)"
        }
    }

    /// Waits for the tool to end its recording (the load must run until then). Throws `FlamelabError`.
    public func awaitRecording() throws {
        if let startError { throw FlamelabError(startError) }
        guard let process else { throw FlamelabError("failed to collect \(setup.label): it was never started") }
        // Both tools end on their own after `seconds`; SIGINT makes a late one write what it has and stop.
        // bpftrace compiles and attaches first, then resolves every stack's symbols when it prints.
        if !process.wait(seconds: seconds + Self.graceSeconds) {
            interrupted = true
            process.signal(SIGINT)
            if !process.wait(seconds: 15) {
                process.signal(SIGKILL)
                _ = process.wait(seconds: 5)
                throw FlamelabError("failed to collect \(setup.label): still running \(Int(seconds + Self.graceSeconds + 15)) s after start")
            }
        }
        guard process.exitStatus == 0 || interrupted else {
            throw FlamelabError("failed to record with \(setup.label): exit status \(process.exitStatus ?? -1): \(logTail())")
        }
    }

    /// Waits for the tool to end and parses what it recorded. Throws `FlamelabError` with the tool's log tail.
    public func collect(executablePath: String) throws -> StackSamples {
        try awaitRecording()
        switch setup {
        case .bpftrace:
            let text = try PeerProfiler.read("\(workDirectory)/\(fileStem).txt")
            let samples = PeerStackParser.bpftraceMap(text, executablePath: executablePath)
            guard samples.sampleCount > 0 else {
                throw FlamelabError("failed to collect bpftrace: no stacks printed\(interrupted ? " (still busy \(Int(Self.graceSeconds)) s after its window, stopped with SIGINT)" : ""): \(logTail())")
            }
            return samples
        default:
            // One retry: two full runs saw `perf script` exit 0 with nothing parsed from a good recording.
            var lastError = FlamelabError("failed to collect \(setup.label)")
            for _ in 0..<2 {
                do {
                    return try runPerfScript(executablePath: executablePath)
                } catch let error as FlamelabError {
                    lastError = error
                }
            }
            throw lastError
        }
    }

    private func runPerfScript(executablePath: String) throws -> StackSamples {
        let scriptPath = "\(workDirectory)/\(fileStem).script"
        let perf = ExecutablePath.find("perf") ?? "/usr/bin/perf"
        let script = try ChildProcess(perf, ["script", "-i", "\(workDirectory)/\(fileStem).data", "-F", "tid,ip,sym,dso", "--no-inline"], output: scriptPath,
                                      errors: "\(workDirectory)/\(fileStem).script.log")
        guard script.wait(seconds: 300), script.exitStatus == 0 else {
            script.signal(SIGKILL)
            throw FlamelabError("failed to run perf script for \(setup.label): exit status \(script.exitStatus.map(String.init) ?? "none after 300 s")")
        }
        let text = try PeerProfiler.read(scriptPath)
        let samples = PeerStackParser.perfScript(text, executablePath: executablePath)
        guard samples.sampleCount > 0 else {
            let scriptLog = ((try? PeerProfiler.read("\(workDirectory)/\(fileStem).script.log")) ?? "").split(separator: "\n").suffix(2).joined(separator: " / ")
            throw FlamelabError("failed to collect \(setup.label): perf script printed \(text.utf8.count) bytes and no sample (first line: \(text.prefix { $0 != "\n" }.prefix(120)); perf record: \(logTail()); perf script: \(scriptLog))")
        }
        return samples
    }

    /// How long after its window a tool may take to write its output (bpftrace symbolizes then).
    static let graceSeconds = 120.0

    private var fileStem: String {
        switch setup {
        case .perfFramePointer: return "perf-fp"
        case .perfDwarf: return "perf-dwarf"
        case .bpftrace: return "bpftrace"
        case .flamelab: return "flamelab"
        }
    }

    private func logTail() -> String {
        let text = (try? PeerProfiler.read("\(workDirectory)/\(fileStem).log")) ?? ""
        return text.split(separator: "\n").suffix(3).joined(separator: " / ")
    }

    static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw FlamelabError("failed to read \(path): missing or unreadable") }
        return String(decoding: data, as: UTF8.self)
    }
}
