import Agent
import Foundation
import ProfileModel

/// One profiled run: start a service version, profile it under load, stop it. The building block of
/// the regression, gate and CPU-vs-off-CPU scenarios. With a `session` the profile is what the
/// continuous agent stored over exactly the load's span (the product path); without, a one-shot
/// agent is attached for the load.
public struct ProfiledRun: Sendable {
    /// What a run produced.
    public struct Capture: Sendable {
        public var recording: AgentRecording
        public var load: LoadResult
        public var service: ServiceInstance

        public func profile(_ kind: ProfileKind) throws -> Profile {
            guard let profile = recording.profile(kind) else {
                throw FlamelabError("failed to capture a \(kind.rawValue) profile of \(service.version): the agent recorded none")
            }
            return profile
        }
    }

    public var version: String
    public var port: UInt16
    public var serviceArguments: [String] = []
    public var hz: Int = 999
    public var kinds: Set<ProfileKind> = [.cpu]
    public var unwind: UnwindMode = .fp
    public var python: PythonMode = .off
    public var warmupSeconds: Double = 1
    /// The continuous agent whose store the capture is read from; nil attaches a one-shot agent.
    public var session: StoreAgentSession?

    public init(version: String, port: UInt16) {
        self.version = version
        self.port = port
    }

    /// Runs `load` (its port is replaced by this run's) with the agent attached for exactly the load's duration.
    public func capture(load: LoadOptions, controller: ServiceController) throws -> Capture {
        let service = try controller.start(version: version, port: port, extraArguments: serviceArguments)
        defer { try? controller.stop(port: port) }
        var options = load
        options.port = port
        options.version = version
        if warmupSeconds > 0 {
            var warmup = options
            warmup.durationSeconds = warmupSeconds
            _ = LoadGenerator(options: warmup).run()
        }
        if let session {
            let wallStart = UInt64(Date().timeIntervalSince1970 * 1e9), start = MonotonicClock.nanoseconds()
            let result = LoadGenerator(options: options).run()
            let end = MonotonicClock.nanoseconds(), wallEnd = UInt64(Date().timeIntervalSince1970 * 1e9)
            let recording = try session.recording(version: version, pid: service.pid, kinds: kinds, monotonicRange: start...end, wallRange: wallStart...wallEnd)
            return Capture(recording: recording, load: result, service: service)
        }
        let agent = Agent(config: agentConfig(pid: service.pid))
        do { try agent.start() } catch {
            throw FlamelabError("failed to start the agent on \(version) (pid \(service.pid)): \(error)")
        }
        let result = LoadGenerator(options: options).run()
        agent.requestStop()
        return Capture(recording: agent.finish(), load: result, service: service)
    }

    func agentConfig(pid: Int32) -> AgentConfig {
        AgentConfig(targets: .pids([pid]), hz: hz, kinds: kinds, unwind: unwind, python: python, durationSeconds: nil,
                    service: "flamelab-shop", version: version)
    }
}
