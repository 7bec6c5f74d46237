import Agent
import Foundation
import ProfileModel
import LabRuntime

/// Drives one workload (Swift and embedded-Python routes) against one service process and profiles it
/// with every configuration at the same time: the flamelab agents in this process, the peers as child
/// processes. All of them sample the same requests in (nearly) the same window.
public struct PolyglotMeasurement: Sendable {
    /// What one run measured.
    public struct Run: Sendable {
        public var figures: [PolyglotFigures]
        /// Stacks per configuration label, for the write-up's examples.
        public var stacks: [String: StackSamples]
        public var load: LoadResult
        public var pid: Int32
        /// py-spy over the same window: the reference for the Python worker's split.
        public var pySpy: PySpyReference
    }

    public var seconds: Double
    public var hz: Int
    public var port: UInt16
    public var connections: Int
    public var mix: RouteMix
    public var setups: [ProfilerSetup]
    /// The longest the py-spy comparison window may run; its length is otherwise sized for power.
    public var pySpyMaxSeconds: Double

    public init(seconds: Double, hz: Int = 99, port: UInt16, connections: Int = 3, mix: RouteMix, setups: [ProfilerSetup] = ProfilerSetup.all,
                pySpyMaxSeconds: Double = 60) {
        self.seconds = seconds
        self.pySpyMaxSeconds = pySpyMaxSeconds
        self.hz = hz
        self.port = port
        self.connections = connections
        self.mix = mix
        self.setups = setups
    }

    /// Seconds of load before the profilers start (warm-up).
    static let warmUpSeconds = 1.5
    /// An upper bound on the agents' start-up; the load is stopped as soon as every profiler is done.
    static let agentStartLimitSeconds = 120.0

    public func run(controller: ServiceController, progress: ProgressLine) throws -> Run {
        let service = try controller.start(version: "v1", port: port)
        defer { try? controller.stop(port: port) }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(service.pid)/exe")) ?? controller.paths.shopExecutable
        let work = try Self.makeWorkDirectory()
        defer { try? FileManager.default.removeItem(atPath: work) }

        let loadDone = DispatchSemaphore(value: 0)
        let loadBox = LoadBox()
        let generator = LoadGenerator(options: LoadOptions(mode: .closed(connections: connections),
                                                           durationSeconds: Self.warmUpSeconds + Self.agentStartLimitSeconds + seconds + 60, mix: mix, port: port, version: "v1"))
        Thread.detachNewThread {
            loadBox.result = generator.run { elapsed, done, errors in
                progress.update(String(format: "polyglot: %.0f s, %d requests, %d errors", elapsed, done, errors))
            }
            loadDone.signal()
        }
        Thread.sleep(forTimeInterval: Self.warmUpSeconds)

        // Agents load their programs and symbols one after the other (seconds each), so their samples
        // are cut to the common window that opens once all are attached, when the peers start too.
        progress.update("polyglot: starting the flamelab agents")
        let agents = try startAgents(pid: service.pid)
        let peers = setups.filter { !$0.isFlamelab }.map { PeerProfiler(setup: $0, pid: service.pid, hz: hz, seconds: seconds, workDirectory: work) }
        let windowStart = Self.monotonicNs()
        peers.forEach { $0.start() }
        Thread.sleep(forTimeInterval: seconds)
        let window = windowStart...Self.monotonicNs()
        agents.forEach { $0.agent?.requestStop() }
        let recordings = Self.finishAll(agents, window: window)
        progress.update("polyglot: waiting for perf and bpftrace to end")
        for peer in peers { try? peer.awaitRecording() }  // errors come back from collect below
        let workerRate = Self.workerSamplesPerSecond(recordings[.flamelab(unwind: .auto, python: .auto)], seconds: seconds)
        let pySpySeconds = PySpyReference.windowSeconds(workerSamplesPerSecondAt: hz, rate: workerRate, maximum: pySpyMaxSeconds)
        progress.update("polyglot: flamelab auto +py beside py-spy alone for \(Int(pySpySeconds)) s")
        let reference = compareWithPySpy(pid: service.pid, seconds: pySpySeconds, workDirectory: work)
        generator.stop()
        loadDone.wait()

        var figures: [PolyglotFigures] = []
        var stacks: [String: StackSamples] = [:]
        for setup in setups {
            let command = setup.commandLine(pid: service.pid, hz: hz)
            let collected: Result<(StackSamples, [String]), Error>
            if setup.isFlamelab {
                collected = recordings[setup] ?? .failure(FlamelabError("failed to record \(setup.label): no recording"))
            } else {
                progress.update("polyglot: reading \(setup.label) output")
                let peer = peers.first { $0.setup == setup }!
                collected = Result { (try peer.collect(executablePath: executable), []) }
            }
            switch collected {
            case .success(let (samples, notes)):
                var row = PolyglotFigures(setup: setup, command: command, stacks: samples)
                row.notes = notes
                figures.append(row)
                stacks[setup.label] = samples
            case .failure(let error):
                figures.append(PolyglotFigures(setup: setup, command: command, error: String(describing: error)))
            }
        }
        guard let load = loadBox.result else { throw FlamelabError("failed to drive the polyglot load: no result") }
        return Run(figures: figures, stacks: stacks, load: load, pid: service.pid, pySpy: reference)
    }

    /// A second window, same load, with only one agent (auto +py) and py-spy sampling: py-spy samples the
    /// GIL holder on wall-clock time, so the scheduling pressure of nine profilers at once would bend
    /// its split; each tool is compared where it alone perturbs the service.
    private func compareWithPySpy(pid: Int32, seconds: Double, workDirectory: String) -> PySpyReference {
        let agent = Agent(config: AgentConfig(targets: .pids([pid]), hz: PySpyReference.hz, kinds: [.cpu], unwind: .auto, python: .auto,
                                              durationSeconds: seconds + 30, service: "shop", version: "v1"))
        var reference: PySpyReference
        do {
            try agent.start()
            let spy = PySpyReference.Recording(pid: pid, hz: PySpyReference.hz, seconds: seconds, workDirectory: workDirectory)
            Thread.sleep(forTimeInterval: seconds)
            agent.requestStop()
            let profile = agent.finish().profile(.cpu)
            reference = spy.finish(seconds: seconds)
            if let profile {
                let figures = PolyglotFigures(setup: .flamelab(unwind: .auto, python: .auto), command: "", stacks: StackSamples(profile: profile))
                reference.flamelabFunctionSamples = figures.pythonFunctionSamples
            }
        } catch {
            reference = PySpyReference()
            reference.error = "failed to start the agent beside py-spy: \(error)"
        }
        reference.seconds = seconds
        return reference
    }

    /// The Python worker's samples per second in the main window (nil without a recording).
    static func workerSamplesPerSecond(_ recording: Result<(StackSamples, [String]), Error>?, seconds: Double) -> Double? {
        guard case .success(let (samples, _))? = recording, seconds > 0 else { return nil }
        return Double(samples.workerSamples) / seconds
    }

    private struct StartedAgent {
        var setup: ProfilerSetup
        var agent: Agent?
        var error: Error?
    }

    /// Starts one agent per flamelab configuration; one that fails to start is reported, not fatal.
    private func startAgents(pid: Int32) throws -> [StartedAgent] {
        setups.compactMap { setup -> StartedAgent? in
            guard case .flamelab(let unwind, let python) = setup else { return nil }
            let agent = Agent(config: AgentConfig(targets: .pids([pid]), hz: hz, kinds: [.cpu], unwind: unwind, python: python,
                                                  durationSeconds: seconds + 30, service: "shop", version: "v1"))
            do {
                try agent.start()
                return StartedAgent(setup: setup, agent: agent)
            } catch {
                return StartedAgent(setup: setup, agent: nil, error: error)
            }
        }
    }

    /// Finishes every agent at once (each detaches in `finish`, so finishing them in turn would stretch
    /// the later ones' windows) and turns their CPU profiles into stacks.
    private static func finishAll(_ agents: [StartedAgent], window: ClosedRange<UInt64>) -> [ProfilerSetup: Result<(StackSamples, [String]), Error>] {
        let results = concurrently(agents.count) { index -> Result<(StackSamples, [String]), Error> in
            let started = agents[index]
            guard let agent = started.agent else { return .failure(started.error ?? FlamelabError("failed to start \(started.setup.label)")) }
            let recording = agent.finish()
            guard let profile = recording.profile(.cpu) else { return .failure(FlamelabError("failed to record \(started.setup.label): no CPU profile")) }
            return .success((StackSamples(profile: profile, window: window), agentNotes(recording.stats)))
        }
        return Dictionary(zip(agents.map(\.setup), results), uniquingKeysWith: { _, last in last })
    }

    static func agentNotes(_ stats: AgentRunStats) -> [String] {
        var notes = ["unwind \(stats.unwindMode.rawValue): \(stats.framePointerStacks) FP stacks, \(stats.dwarfStacks) DWARF stacks, \(stats.dwarfFailures) DWARF failures",
                     "drops \(stats.totalDrops), stack-copy failures \(stats.stackCopyFailures), samples with Python frames \(stats.samplesWithPythonFrames)"]
        notes += stats.notes
        return notes
    }

    /// CLOCK_MONOTONIC in ns: the clock of `bpf_ktime_get_ns`, which stamps the agent's samples.
    static func monotonicNs() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    static func makeWorkDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "flamelab-polyglot-\(getpid())"
        do {
            try? FileManager.default.removeItem(atPath: path)
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw FlamelabError("failed to create \(path): \(error.localizedDescription)")
        }
        return path
    }
}

/// The load result handed from the load thread.
/// `@unchecked Sendable`: written by the load thread before it signals, read after the wait.
private final class LoadBox: @unchecked Sendable {
    var result: LoadResult?
}
