import Foundation

/// Runs one peer profiler (`perf record` or bpftrace) against a pid for a fixed time, in the
/// background, and turns its output into `StackSamples` afterwards. Raw files stay in `workDirectory`.
public final class PeerProfiler: @unchecked Sendable {
    public let setup: ProfilerSetup
    private let pid: Int32
    private let hz: Int
    private let seconds: Double
    private let workDirectory: String
    private var process: Process?
    private var startError: String?

    public init(setup: ProfilerSetup, pid: Int32, hz: Int, seconds: Double, workDirectory: String) {
        self.setup = setup
        self.pid = pid
        self.hz = hz
        self.seconds = seconds
        self.workDirectory = workDirectory
    }

    /// Starts the tool; a missing tool is remembered and reported by `collect`, not thrown.
    public func start() {
        let (tool, arguments) = recordCommand()
        guard let executable = PeerProfiler.findExecutable(tool) else {
            startError = "\(tool) not found on PATH (Debian: apt-get install \(tool == "perf" ? "linux-perf" : tool))"
            return
        }
        do {
            process = try PeerProfiler.launch(executable, arguments, output: "\(workDirectory)/\(fileStem).log")
        } catch {
            startError = "failed to start \(tool): \(error)"
        }
    }

    /// Waits for the tool to end and parses what it recorded. Throws `LabError` with the tool's log tail.
    public func collect(executablePath: String) throws -> StackSamples {
        if let startError { throw LabError(startError) }
        guard let process else { throw LabError("failed to collect \(setup.label): it was never started") }
        let deadline = Date().addingTimeInterval(seconds + 60)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning {
            process.interrupt()
            throw LabError("failed to collect \(setup.label): still running \(Int(seconds + 60)) s after start")
        }
        guard process.terminationStatus == 0 else {
            throw LabError("failed to record with \(setup.label): exit status \(process.terminationStatus): \(logTail())")
        }
        switch setup {
        case .bpftrace:
            let text = try PeerProfiler.read("\(workDirectory)/\(fileStem).txt")
            return PeerStackParser.bpftraceMap(text, executablePath: executablePath)
        default:
            let scriptPath = "\(workDirectory)/\(fileStem).script"
            let perf = PeerProfiler.findExecutable("perf") ?? "/usr/bin/perf"
            let script = try PeerProfiler.launch(perf, ["script", "-i", "\(workDirectory)/\(fileStem).data", "-F", "tid,ip,sym,dso", "--no-inline"],
                                                 output: scriptPath, errors: "\(workDirectory)/\(fileStem).script.log")
            script.waitUntilExit()
            guard script.terminationStatus == 0 else {
                throw LabError("failed to run perf script for \(setup.label): exit status \(script.terminationStatus)")
            }
            return PeerStackParser.perfScript(try PeerProfiler.read(scriptPath), executablePath: executablePath)
        }
    }

    private var fileStem: String {
        switch setup {
        case .perfFramePointer: return "perf-fp"
        case .perfDwarf: return "perf-dwarf"
        case .bpftrace: return "bpftrace"
        case .flamelab: return "flamelab"
        }
    }

    private func recordCommand() -> (String, [String]) {
        let duration = String(format: "%.1f", seconds)
        switch setup {
        case .perfFramePointer:
            return ("perf", ["record", "-F", "\(hz)", "-g", "-p", "\(pid)", "-o", "\(workDirectory)/\(fileStem).data", "--", "sleep", duration])
        case .perfDwarf:
            return ("perf", ["record", "-F", "\(hz)", "--call-graph", "dwarf", "-p", "\(pid)", "-o", "\(workDirectory)/\(fileStem).data", "--", "sleep", duration])
        case .bpftrace, .flamelab:
            // perf print mode adds each frame's module, which the classifier needs; the walk is the same.
            let program = "profile:hz:\(hz) /pid == \(pid)/ { @[ustack(perf), kstack(perf)] = count(); } interval:ms:\(Int(seconds * 1000)) { exit(); }"
            return ("bpftrace", ["-o", "\(workDirectory)/\(fileStem).txt", "-e", program])
        }
    }

    private func logTail() -> String {
        let text = (try? PeerProfiler.read("\(workDirectory)/\(fileStem).log")) ?? ""
        return text.split(separator: "\n").suffix(3).joined(separator: " / ")
    }

    static func launch(_ executable: String, _ arguments: [String], output: String, errors: String? = nil) throws -> Process {
        _ = FileManager.default.createFile(atPath: output, contents: nil, attributes: [.posixPermissions: 0o600])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardOutput = out
        if let errors {
            _ = FileManager.default.createFile(atPath: errors, contents: nil, attributes: [.posixPermissions: 0o600])
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        } else {
            process.standardError = out
        }
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw LabError("failed to read \(path): missing or unreadable") }
        return String(decoding: data, as: UTF8.self)
    }

    static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let candidates = path.split(separator: ":").map { "\($0)/\(name)" } + ["/usr/bin/\(name)", "/usr/sbin/\(name)"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
