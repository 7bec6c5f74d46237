import Foundation
import ProfileModel

/// `lab agent` run as its own process, as it is deployed: what the lab's scenarios and
/// `lab serve --with-agent` profile with. Started with a ready file, stopped with SIGTERM (which
/// writes the open window), its final counts read from its `--stats-json`.
public final class AgentProcess: Sendable {
    public let storePath: String
    public let process: ChildProcess
    private let directory: String

    /// Starts `lab agent` with `arguments` (its store, targets and settings) writing into
    /// `storePath`, and returns once it is attached. Throws with its log's last lines otherwise.
    public init(paths: LabPaths = LabPaths(), storePath: String, arguments: [String], timeoutSeconds: Double = 120) throws {
        self.storePath = storePath
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("flamelab-agent-\(getpid())-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        process = try ChildProcess(paths.labExecutable, ["agent", "--store", storePath, "--ready-file", "\(directory)/ready",
                                                         "--stats-json", "\(directory)/stats.json", "--exit-with-parent"] + arguments,
                                   output: "\(directory)/agent.log")
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while !FileManager.default.fileExists(atPath: "\(directory)/ready") {
            if process.hasExited || Date() > deadline {
                process.signal(SIGKILL)
                throw FlamelabError.failed("start", "lab agent", process.hasExited ? "it exited with status \(process.exitStatus ?? -1): \(logTail())" : "not attached after \(Int(timeoutSeconds)) s: \(logTail())")
            }
            usleep(50_000)
        }
    }

    public var pid: Int32 { process.pid }

    /// The agent's log so far.
    public var log: String { (try? String(contentsOfFile: "\(directory)/agent.log", encoding: .utf8)) ?? "" }

    /// SIGTERM, then its final counts; throws when it does not end cleanly.
    public func stop(timeoutSeconds: Double = 120) throws -> ContinuousAgentStatus {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        process.signal(SIGTERM)
        guard process.wait(seconds: timeoutSeconds) else {
            process.signal(SIGKILL)
            throw FlamelabError.failed("stop", "lab agent", "still running \(Int(timeoutSeconds)) s after SIGTERM")
        }
        guard process.exitStatus == 0, let data = FileManager.default.contents(atPath: "\(directory)/stats.json") else {
            throw FlamelabError.failed("stop", "lab agent", "exit status \(process.exitStatus ?? -1): \(logTail())")
        }
        do { return try JSONDecoder().decode(ContinuousAgentStatus.self, from: data) } catch {
            throw FlamelabError.failed("read", "lab agent's counts", "\(error)")
        }
    }

    private func logTail() -> String {
        log.split(separator: "\n").suffix(3).joined(separator: " / ")
    }
}
