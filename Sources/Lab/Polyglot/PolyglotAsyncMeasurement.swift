import Agent
import Foundation
import ProfileModel
import LabRuntime

/// The async route's row of the polyglot table: `/quote` under load, profiled at the same time by the
/// agent with the Swift async walker on and off (frame pointers, no Python walker), `perf record -g`
/// and bpftrace. The hot function runs two awaits below the handler, so only the async context chain
/// names its callers; every other profiler sees the executor below `applyRules`'s running funclet.
public struct PolyglotAsyncMeasurement: Sendable {
    /// What one run measured.
    public struct Run: Codable, Sendable {
        public var rows: [PolyglotAsyncRow]
        public var requests: Int
        public var pid: Int32
        public var seconds: Double
    }

    public var seconds: Double
    public var hz: Int
    public var port: UInt16
    public var connections: Int

    public init(seconds: Double, hz: Int = 99, port: UInt16, connections: Int = 2) {
        self.seconds = seconds
        self.hz = hz
        self.port = port
        self.connections = connections
    }

    /// The peers beside the agent: frame-pointer walkers, as the agent's rows are.
    static let peers: [ProfilerSetup] = [.perfFramePointer, .bpftrace]

    public func run(controller: ServiceController, progress: ProgressLine) throws -> Run {
        let service = try controller.start(version: "v1", port: port)
        defer { try? controller.stop(port: port) }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(service.pid)/exe")) ?? controller.paths.shopExecutable
        let work = try PolyglotMeasurement.makeWorkDirectory() + "/async"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: work) }

        let generator = LoadGenerator(options: LoadOptions(mode: .closed(connections: connections),
                                                           durationSeconds: PolyglotMeasurement.warmUpSeconds + seconds + 300,
                                                           mix: try RouteMix.parse("quote=1"), port: port, version: "v1"))
        let loadDone = DispatchSemaphore(value: 0)
        let requests = RequestCount()
        Thread.detachNewThread {
            let result = generator.run { elapsed, done, errors in
                progress.update(String(format: "polyglot async route: %.0f s, %d requests, %d errors", elapsed, done, errors))
            }
            requests.value = result.records.count
            loadDone.signal()
        }
        Thread.sleep(forTimeInterval: PolyglotMeasurement.warmUpSeconds)

        let agents = [true, false].map { walker in
            (walker, Agent(config: AgentConfig(targets: .pids([service.pid]), hz: hz, kinds: [.cpu], unwind: .fp, python: .off,
                                               durationSeconds: seconds + 60, service: "shop", version: "v1", swiftAsync: walker)))
        }
        var startErrors: [Bool: String] = [:]
        for (walker, agent) in agents {
            do { try agent.start() } catch { startErrors[walker] = "\(error)" }
        }
        let peers = Self.peers.map { PeerProfiler(setup: $0, pid: service.pid, hz: hz, seconds: seconds, workDirectory: work) }
        let windowStart = PolyglotMeasurement.monotonicNs()
        peers.forEach { $0.start() }
        Thread.sleep(forTimeInterval: seconds)
        let window = windowStart...PolyglotMeasurement.monotonicNs()
        agents.forEach { $0.1.requestStop() }

        var rows: [PolyglotAsyncRow] = []
        for (walker, agent) in agents {
            let label = Self.label(walker: walker)
            let command = Self.commandLine(pid: service.pid, hz: hz, walker: walker)
            if let error = startErrors[walker] {
                rows.append(PolyglotAsyncRow(setup: label, command: command, error: error))
                continue
            }
            guard let profile = agent.finish().profile(.cpu) else {
                rows.append(PolyglotAsyncRow(setup: label, command: command, error: "failed to record \(label): no CPU profile"))
                continue
            }
            rows.append(PolyglotAsyncRow(setup: label, command: command, stacks: StackSamples(profile: profile, window: window)))
        }
        progress.update("polyglot async route: waiting for perf and bpftrace to end")
        for peer in peers {
            let command = peer.setup.commandLine(pid: service.pid, hz: hz)
            do {
                rows.append(PolyglotAsyncRow(setup: peer.setup.label, command: command, stacks: try peer.collect(executablePath: executable)))
            } catch {
                rows.append(PolyglotAsyncRow(setup: peer.setup.label, command: command, error: "\(error)"))
            }
        }
        generator.stop()
        loadDone.wait()
        return Run(rows: rows, requests: requests.value, pid: service.pid, seconds: seconds)
    }

    static func label(walker: Bool) -> String {
        walker ? "flamelab fp +async" : "flamelab fp (async walker off)"
    }

    /// The `lab record` line each agent row stands for.
    static func commandLine(pid: Int32, hz: Int, walker: Bool) -> String {
        AgentCommandLine.commandLine(pid: pid, hz: hz, unwind: .fp, python: .off) + (walker ? "" : " --no-swift-async")
    }
}

/// The request count handed from the load thread.
/// `@unchecked Sendable`: written by the load thread before it signals, read after the wait.
private final class RequestCount: @unchecked Sendable {
    var value = 0
}
