import Foundation
import Agent
import ProfileModel
import ProfileStore

/// How `lab agent` runs: what it profiles, how, where the windows go and how much the store keeps.
public struct ContinuousAgentConfig: Sendable {
    public var storePath: String
    public var targets: ContinuousTargets
    public var windowSeconds: Double = 10
    public var hz: Int = 99
    public var kinds: Set<ProfileKind> = [.cpu, .offcpu]
    public var unwind: UnwindMode = .standard
    public var python: PythonMode = .auto
    /// Read Swift async callers (see `AgentConfig.swiftAsync`).
    public var swiftAsync = true
    /// `faults`: one sample every this many page faults on a CPU.
    public var faultPeriod = AgentConfig.defaultFaultPeriod
    /// `alloc`/`inuse`: mean bytes allocated between two samples.
    public var allocRateBytes = AgentConfig.defaultAllocRateBytes
    public var retention = RetentionPolicy(maxAgeNs: 24 * 3_600 * 1_000_000_000, maxBytes: 1 << 30)
    /// Seconds between two status lines (windows written, samples, drops, agent CPU and RSS).
    public var statusSeconds: Double = 60
    /// Windows kept in memory while the store cannot be written (full disk, read-only): beyond
    /// them the oldest are dropped, each counted and said.
    public var pendingWindowLimit = 60
    /// A Pyroscope server every written window is also pushed to (`POST /ingest`), or nil.
    public var pyroscopeURL: String?
    /// The service label of the lab's shop instances.
    public var serviceName = "flamelab-shop"

    /// Where `lab agent` writes when no store is named (git-ignored scratch: profiles are private).
    public static var defaultStorePath: String { LabPaths().resultsDirectory + "/runs/profiles.sqlite" }

    /// `path`, or the default store with its folder created (0700) on a fresh clone.
    public static func storePath(_ path: String?) throws -> String {
        if let path { return path }
        let directory = (defaultStorePath as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw FlamelabError.failed("create", directory, error.localizedDescription)
        }
        return defaultStorePath
    }

    public init(storePath: String, targets: ContinuousTargets) {
        self.storePath = storePath
        self.targets = targets
    }

    /// The agent's own settings for it.
    var agentConfig: AgentConfig {
        var config = AgentConfig(targets: targets.agentTargets, hz: hz, kinds: kinds, unwind: unwind, python: python,
                                 durationSeconds: nil, windowSeconds: windowSeconds)
        config.service = nil
        config.swiftAsync = swiftAsync
        config.faultPeriod = faultPeriod
        config.allocRateBytes = allocRateBytes
        return config
    }
}

extension ContinuousTargets {
    var agentTargets: AgentConfig.Targets {
        switch self {
        case .pids(let pids): return .pids(pids)
        case .service: return .pids([])
        case .all: return .all
        }
    }
}
