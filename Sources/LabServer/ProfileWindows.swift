import Agent
import Foundation
import LabRuntime
import ProfileModel
import Symbolize

/// Continuous profiling of the service in rolling windows: one Agent per window (CPU and off-CPU),
/// the last few finished windows kept in memory per service version. The next window's agent starts
/// before the previous one detaches, so no time goes unprofiled (the short overlap may count a
/// sample twice; a window is `windowSeconds` long, the overlap is the agent's detach time).
/// `@unchecked Sendable`: every mutable field is behind `lock`.
public final class ProfileWindows: @unchecked Sendable {
    /// One finished window.
    struct Window {
        var version: String
        var endedAtUnix: Double
        var profiles: [ProfileKind: Profile]
    }

    private let options: ServeOptions
    private let controller = ServiceController()
    /// Shared by every window's agent: its caches (ELF symbols, maps, stacks) make later windows cheap.
    private let symbolizer = Symbolizer()
    private let lock = NSLock()
    private var windows: [Window] = []
    private var stopped = false
    private var lastErrorText: String?
    private var started = false

    public init(options: ServeOptions) {
        self.options = options
    }

    /// Why profiling is not running, if it is not (the agent needs root; the service must be up).
    public var lastError: String? { lock.withLock { lastErrorText } }

    /// Versions with at least one finished window, oldest first.
    public var versions: [String] {
        lock.withLock {
            var seen: [String] = []
            for window in windows where !seen.contains(window.version) { seen.append(window.version) }
            return seen
        }
    }

    /// When the newest finished window ended (Unix seconds), nil before the first one.
    public var latestWindowEndUnix: Double? { lock.withLock { windows.last?.endedAtUnix } }

    /// True once the first window's agent is attached, or profiling failed (`lastError` says why):
    /// `lab serve` starts its SLO clock then, so the agent's own start-up is not in the SLO's history.
    public var hasStarted: Bool { lock.withLock { started || lastErrorText != nil } }

    /// How long one window lasts.
    public var windowSeconds: Double { options.windowSeconds }

    /// Finished windows so far (all versions).
    public var windowCount: Int { lock.withLock { windows.count } }

    /// The kept windows of `kind` merged (of `version`, or of the latest version when nil).
    public func profile(_ kind: ProfileKind, version: String? = nil) -> Profile? {
        let chosen: [Profile] = lock.withLock {
            guard let wanted = version ?? windows.last?.version else { return [] }
            return windows.filter { $0.version == wanted }.compactMap { $0.profiles[kind] }
        }
        return chosen.isEmpty ? nil : try? ProfileMerge.merge(chosen)
    }

    /// Starts the rolling windows on a background thread.
    public func start() {
        let thread = Thread { [self] in roll() }
        thread.name = "lab-serve-profiler"
        thread.start()
    }

    public func stop() { lock.withLock { stopped = true } }

    private func roll() {
        var running: (agent: Agent, version: String)?
        while !lock.withLock({ stopped }) {
            let next = startAgent()
            if let previous = running { keep(previous.agent.finishing(), version: previous.version) }
            running = next
            if next == nil {
                Thread.sleep(forTimeInterval: 1)
                continue
            }
            sleepWindow()
        }
        if let previous = running { _ = previous.agent.finishing() }
    }

    private func sleepWindow() {
        let end = Date().addingTimeInterval(options.windowSeconds)
        while Date() < end, !lock.withLock({ stopped }) { Thread.sleep(forTimeInterval: 0.1) }
    }

    /// An agent on the service's current process (the pid changes when another version is deployed).
    private func startAgent() -> (agent: Agent, version: String)? {
        do {
            let instance = try controller.instance(port: options.servicePort)
            let agent = Agent(config: AgentConfig(targets: .pids([instance.pid]), hz: 99, kinds: [.cpu, .offcpu], unwind: .fp,
                                                  python: .off, durationSeconds: nil, service: "flamelab-shop", version: instance.version),
                              symbolizer: symbolizer)
            try agent.start()
            lock.withLock {
                lastErrorText = nil
                started = true
            }
            return (agent, instance.version)
        } catch {
            lock.withLock { lastErrorText = "failed to profile the service on port \(options.servicePort): \(error)" }
            return nil
        }
    }

    private func keep(_ recording: AgentRecording, version: String) {
        var profiles: [ProfileKind: Profile] = [:]
        for profile in recording.profiles { profiles[profile.metadata.kind] = profile }
        lock.withLock {
            windows.append(Window(version: version, endedAtUnix: Date().timeIntervalSince1970, profiles: profiles))
            // Keep the last `keptWindows` per version, so a diff of two versions stays possible.
            for kept in Set(windows.map(\.version)) {
                let indices = windows.indices.filter { windows[$0].version == kept }
                if indices.count > options.keptWindows {
                    for index in indices.prefix(indices.count - options.keptWindows).reversed() { windows.remove(at: index) }
                }
            }
        }
    }
}

private extension Agent {
    /// Stops the run and returns its profiles.
    func finishing() -> AgentRecording {
        requestStop()
        return finish()
    }
}
