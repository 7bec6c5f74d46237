import ProfileModel
import Foundation
import LabRuntime

/// What a scenario gets: where to write, whether this is a quick (CI) run, the machine, progress output,
/// and the service controller. Ports are per scenario so scenarios never collide.
/// `@unchecked Sendable`: every stored property is a `let` of a Sendable type or of `ServiceController`/`ProgressLine`, which lock themselves.
public final class ScenarioContext: @unchecked Sendable {
    public let paths: LabPaths
    public let quick: Bool
    public let machine: MachineInfo
    public let progress: ProgressLine
    public let controller: ServiceController
    public let resultsDirectory: String

    public init(paths: LabPaths = LabPaths(), quick: Bool, resultsDirectory: String? = nil) {
        self.paths = paths
        self.quick = quick
        self.machine = MachineInfo.current()
        self.progress = ProgressLine()
        self.controller = ServiceController(paths: paths)
        self.resultsDirectory = resultsDirectory ?? paths.resultsDirectory
    }

    /// results/<scenario>/ (created, private).
    public func directory(for scenario: String) throws -> String {
        let dir = "\(resultsDirectory)/\(scenario)"
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw FlamelabError("failed to create \(dir): \(error.localizedDescription)")
        }
        return dir
    }

    /// One `lab agent --service` for `scenario`, writing a scratch store under the temporary folder
    /// (profiles are private and the reference results are committed: the store is not among them).
    public func agentSession(for scenario: String, hz: Int, kinds: Set<ProfileKind>) throws -> StoreAgentSession {
        progress.update("\(scenario): starting lab agent --service (\(hz) Hz)")
        let directory = try PrivateFile.temporaryDirectory(prefix: "flamelab-\(scenario)")
        return try StoreAgentSession(directory: directory, hz: hz, kinds: kinds)
    }

    /// The command that reproduces a scenario's evidence.
    public func command(for scenario: String) -> String {
        "make build && .build/release/lab run \(scenario)\(quick ? " --quick" : "")"
    }

    /// Picks the full or the quick value.
    public func pick<T>(full: T, quick quickValue: T) -> T { quick ? quickValue : full }
}
