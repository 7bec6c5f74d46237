import Agent
import Foundation
import ProfileModel
import ProfileStore

/// The lab's scenarios on the product path: one `lab agent --service` process writing short windows
/// into a scratch store for the whole scenario, and each capture read back from the store by version
/// and by the capture's own start and end on CLOCK_MONOTONIC (the samples' clock), instead of a
/// one-shot agent loaded and attached per capture.
public final class StoreAgentSession: Sendable {
    public let storePath: String
    public let windowSeconds: Double
    public let hz: Int
    private let directory: String
    private let agent: AgentProcess
    private let store: ProfileStore

    /// Starts the agent on a new store in `directory` (mode 0700); returns once it is attached.
    public init(directory: String, hz: Int, kinds: Set<ProfileKind>, windowSeconds: Double = 2, python: PythonMode = .off) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        self.directory = directory
        storePath = directory + "/profiles.sqlite"
        try? FileManager.default.removeItem(atPath: storePath)
        self.windowSeconds = windowSeconds
        self.hz = hz
        let kindList = kinds.map(\.rawValue).sorted().joined(separator: ",")
        let agent = try AgentProcess(storePath: storePath, arguments: [
            "--service", "--window", "\(windowSeconds)s", "--hz", "\(hz)", "--kind", kindList, "--python", python.rawValue,
            "--status-interval", "3600s",
        ])
        self.agent = agent
        do {
            store = try ProfileStore(path: storePath)
        } catch {
            // The agent must not outlive a session that failed to start, with its BPF attached.
            _ = try? agent.stop()
            throw error
        }
    }

    /// The agent's pid (the overhead of the product path is this process's CPU).
    public var agentPID: Int32 { agent.pid }

    /// Asks the agent to write its open window now (SIGUSR1) and waits until it is stored: the
    /// store then holds every sample up to this moment.
    public func flush() throws {
        let now = UInt64(Date().timeIntervalSince1970 * 1e9)
        kill(agent.pid, SIGUSR1)
        try waitForWindow(endingAfter: now)
    }

    /// The stored samples `query` selects (flush first for the last seconds).
    public func profile(_ query: ProfileQuery) throws -> Profile {
        try store.profile(query: query)
    }

    /// The samples of `version` (of process `pid` when given: the agent follows every `lab service`
    /// instance, a person's own among them) between `monotonicRange`'s ends, once the window holding
    /// its end is stored, as the one-shot agent's recording would have given them.
    public func recording(version: String, pid: Int32? = nil, kinds: Set<ProfileKind>, monotonicRange: ClosedRange<UInt64>,
                          wallRange: ClosedRange<UInt64>) throws -> AgentRecording {
        try flush()
        var stats = AgentRunStats()
        var profiles: [Profile] = []
        for kind in kinds.sorted(by: { $0.rawValue < $1.rawValue }) {
            let runs = RunFilter(version: version, kind: kind, pid: pid, overlappingUnixNs: wallRange)
            var profile = try store.profile(query: ProfileQuery(runs: runs, sampleTimeNs: monotonicRange))
            profile.metadata.service = "flamelab-shop"
            profile.metadata.version = version
            profile.metadata.startUnixNs = wallRange.lowerBound
            profile.metadata.monotonicStartNs = monotonicRange.lowerBound
            profile.metadata.endUnixNs = wallRange.upperBound
            switch kind {
            case .cpu: stats.cpuSamples = profile.samples.count
            case .offcpu: stats.offCPUIntervals = profile.samples.count
            case .faults: stats.faultSamples = profile.samples.count
            case .alloc, .inuse: break  // not in the store
            }
            profiles.append(profile)
        }
        // Every row of a window carries the window's drops (all kinds): each window counted once.
        let windows = try store.runs(filter: RunFilter(version: version, pid: pid, overlappingUnixNs: wallRange))
        stats.ringBufferDrops = UInt64(max(0, windows.windowLosses.dropped))
        stats.elapsedSeconds = Double(monotonicRange.upperBound - monotonicRange.lowerBound) / 1e9
        stats.addNote("read from lab agent's store \(storePath) (\(String(format: "%g", windowSeconds)) s windows, \(hz) Hz)")
        return AgentRecording(profiles: profiles, stats: stats)
    }

    /// Windows are cut every `windowSeconds`: the one holding `wallNs` is stored within about two
    /// windows. Waits for a stored window that ends after it; past that, throws rather than hand a
    /// capture its samples are missing from. The window is cut 2 ms before the request, so it
    /// counts as holding `wallNs` when it ends within 10 ms of it.
    private func waitForWindow(endingAfter wallNs: UInt64) throws {
        let seconds = windowSeconds * 2 + 3
        let deadline = Date().addingTimeInterval(seconds)
        let wanted = wallNs - min(wallNs, 10_000_000)
        while Date() < deadline {
            let newest = try store.summaries().map(\.lastEndUnixNs).max() ?? 0
            if newest >= wanted { return }
            if agent.process.hasExited {
                throw FlamelabError.failed("read", "lab agent's windows", "the agent exited (status \(agent.process.exitStatus ?? -1)): \(agent.log.suffix(300))")
            }
            usleep(100_000)
        }
        throw FlamelabError.failed("read", "lab agent's windows", "no window ending after the request was stored within \(Int(seconds)) s (an agent that sees no sample writes none): \(agent.log.suffix(300))")
    }

    /// SIGTERM to the agent (it writes its open window); its final counts. The scratch store goes.
    @discardableResult
    public func stop() throws -> ContinuousAgentStatus {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        return try agent.stop()
    }
}
