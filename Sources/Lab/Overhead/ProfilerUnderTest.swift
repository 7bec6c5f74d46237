import ProfileModel
import Agent
import Foundation
import LabRuntime

/// One profiler attached to the service as its own process for an overhead measurement: flamelab's
/// agent (`lab record`), perf or bpftrace. Running flamelab out of process, as it is deployed, keeps
/// its CPU and memory apart from the load generator's and its start-up out of the measured window.
final class ProfilerUnderTest {
    let configuration: OverheadConfiguration
    private let process: ChildProcess
    private let directory: String
    private let pid: Int32

    /// Starts the profiler against `pid` and returns once it samples; nil for the A/A control.
    static func attach(_ configuration: OverheadConfiguration, pid: Int32, paths: LabPaths) throws -> ProfilerUnderTest? {
        guard configuration.tool != .none else { return nil }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flamelab-overhead-\(getpid())-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let command = configuration.command(pid: pid, labExecutable: paths.labExecutable, directory: directory)
        guard let executable = ExecutablePath.find(command[0]) ?? (FileManager.default.isExecutableFile(atPath: command[0]) ? command[0] : nil) else {
            throw FlamelabError("failed to start \(configuration.label): \(command[0]) not found")
        }
        let process = try ChildProcess(executable, Array(command.dropFirst()), output: "\(directory)/stdout.log", errors: "\(directory)/stderr.log",
                                       environment: configuration.peer?.environment ?? [:])
        let profiler = ProfilerUnderTest(configuration: configuration, process: process, directory: directory, pid: pid)
        try profiler.awaitAttached()
        return profiler
    }

    private init(configuration: OverheadConfiguration, process: ChildProcess, directory: String, pid: Int32) {
        self.configuration = configuration
        self.process = process
        self.directory = directory
        self.pid = pid
    }

    /// CPU nanoseconds the profiler's live threads have used so far (schedstat: a peer at 99 Hz uses
    /// well under the 10 ms resolution of /proc/PID/stat's clock ticks over a whole window).
    func cpuNanoseconds() -> UInt64 {
        (try? ProcessCPU.liveThreadNanoseconds(pid: process.pid)) ?? 0
    }

    /// The profiler process's resident memory now, bytes (nil once it is gone).
    func residentBytes() -> Int? {
        ProcessCPU.residentBytes(pid: process.pid)
    }

    /// Stops it (SIGINT: each tool writes what it has), removes its files and returns the agent's run
    /// statistics for flamelab.
    func stop() throws -> AgentRunStats? {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        process.signal(SIGINT)
        guard process.wait(seconds: 180) else {
            process.signal(SIGKILL)
            throw FlamelabError("failed to stop \(configuration.label): still running 180 s after SIGINT")
        }
        guard configuration.tool == .flamelab else { return nil }
        guard let data = FileManager.default.contents(atPath: "\(directory)/stats.json") else {
            throw FlamelabError("failed to read \(configuration.label)'s statistics: lab record exited with status \(process.exitStatus ?? -1): \(logTail())")
        }
        do {
            return try JSONDecoder().decode(AgentRunStats.self, from: data)
        } catch {
            throw FlamelabError("failed to decode \(directory)/stats.json: \(error)")
        }
    }

    /// flamelab says so with its ready file; bpftrace prints "Attaching N probes"; perf attaches within
    /// milliseconds of starting, so it gets a fixed half second.
    private func awaitAttached() throws {
        let deadline = Date().addingTimeInterval(90)
        while Date() < deadline {
            if process.hasExited {
                throw FlamelabError("failed to start \(configuration.label): exited with status \(process.exitStatus ?? -1): \(logTail())")
            }
            switch configuration.tool {
            case .flamelab where FileManager.default.fileExists(atPath: "\(directory)/ready"): return
            case .peer(.bpftrace) where ((try? PeerProfiler.read("\(directory)/stdout.log")) ?? "").contains("Attaching"):
                Thread.sleep(forTimeInterval: 0.2)
                return
            case .peer(.perfFramePointer), .peer(.perfDwarf), .floor:
                Thread.sleep(forTimeInterval: 0.5)
                return
            default: usleep(50_000)
            }
        }
        process.signal(SIGKILL)
        throw FlamelabError("failed to start \(configuration.label): not attached after 90 s: \(logTail())")
    }

    private func logTail() -> String {
        let text = (try? PeerProfiler.read("\(directory)/stderr.log")) ?? ""
        return text.split(separator: "\n").suffix(3).joined(separator: " / ")
    }
}
