import Agent
import ArgumentParser
import Foundation
import LabRuntime
import ProfileModel
import ProfileStore

/// `lab agent`: continuous profiling. One eBPF agent, attached once, cuts windows into the store.
struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Profile continuously (root): one agent, attached once, writes windows into the profile store.",
        discussion: """
        Every sample lands in exactly one window; each window is stored per process and kind with its labels \
        (host, service, version, pid, kind, rate, unwind mode), its samples' times and trace and span ids, \
        and its drops. Readers (`lab query`, `lab serve`) work while it writes. One agent per store.
        SIGTERM or Ctrl-C writes the open window and exits 0; SIGHUP writes a status line; SIGUSR1 writes the
        open window now (a reader that needs the last seconds, e.g. a drill, asks for it).

        Examples:
          lab agent --service                                   # follow `lab service` instances across deploys
          lab agent --pid 4242 --window 5s --store /tmp/p.sqlite
          lab agent --all --hz 49 --retention 6h --max-size 200MiB
          lab agent --service --duration 8m --stats-json agent.json --ready-file /tmp/ready
          lab agent --service --push-pyroscope http://pyroscope:4040   # also to a fleet's Pyroscope (its ingest API)
          lab agent --pid 4242 --kind cpu,alloc,inuse --alloc-rate 512KiB   # memory too: each window's allocations, and what is live at its end
        """
    )

    @Option(name: .customLong("store"), help: "The profile store file (default: results/runs/profiles.sqlite).")
    var storePath: String?
    @Option(name: .customLong("pid"), help: "A process to profile (repeatable).") var pids: [Int32] = []
    @Flag(name: .customLong("service"), help: "Follow the shop service instances `lab service start` runs (deploys included).")
    var service = false
    @Flag(name: .customLong("all"), help: "Profile the whole machine, labelled per process.") var all = false
    @Option(help: "Length of one window, e.g. 10s.") var window = Duration(seconds: 10)
    @Option(help: "CPU sampling frequency per CPU, 1...10000 Hz.") var hz = 99
    @Option(help: "Profiles, comma-separated: cpu, offcpu, faults (page faults with their stacks: where RSS grows), alloc (what each window allocated), inuse (what is live at each window's end; not with --all).")
    var kind = KindList(.cpu, .offcpu)
    @Option(name: .customLong("alloc-rate"), help: "alloc/inuse: mean bytes allocated between two samples (Poisson byte sampling), e.g. 512KiB.")
    var allocRate = ByteSize(bytes: Int64(AgentConfig.defaultAllocRateBytes))
    @Option(name: .customLong("fault-period"), help: "faults: one sample every N page faults on a CPU, each weighing N (1...1000000).")
    var faultPeriod = AgentConfig.defaultFaultPeriod
    @Option(help: "User stack unwinding: auto (frame pointers where the code keeps them, DWARF elsewhere), fp or dwarf.") var unwind = UnwindMode.standard
    @Option(help: "Walk CPython frames: auto or off.") var python = PythonMode.auto
    @Flag(name: .customLong("swift-async"), inversion: .prefixedNo, help: "Read Swift async callers from the async context chain.")
    var swiftAsync = true
    @Option(help: "Delete windows older than this, e.g. 24h.") var retention = Duration(seconds: 24 * 3600)
    @Option(name: .customLong("max-size"), help: "Keep the store under this size (downsampling, then deleting the oldest windows), e.g. 1GiB.")
    var maxSize = ByteSize(bytes: 1 << 30)
    @Option(name: .customLong("full-detail"), help: "Windows younger than this keep their trace ids and sample times when the store must shrink, e.g. 1h.")
    var fullDetail = Duration(seconds: Double(RetentionPolicy.defaultFullDetailNs) / 1e9)
    @Option(name: .customLong("status-interval"), help: "Seconds between status lines.") var statusInterval = Duration(seconds: 60)
    @Option(help: "Stop after this long (default: run until SIGTERM).") var duration: Duration?
    @Option(name: .customLong("push-pyroscope"), help: "Also push every window to this Pyroscope server (POST /ingest, pprof), e.g. http://127.0.0.1:4040.")
    var pushPyroscope: String?
    @Option(name: .customLong("stats-json"), help: "At exit, write the final counts as JSON here.") var statsJSON: String?
    @Option(name: .customLong("ready-file"), help: "Create this file once the agent is attached (scripts wait for it).") var readyFile: String?
    @Flag(name: .customLong("exit-with-parent"), help: "Stop (writing the open window) when the process that started this one exits: for agents other commands start.")
    var exitWithParent = false

    func validate() throws {
        guard [all, service, !pids.isEmpty].filter({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --pid N (repeatable), --service, --all")
        }
        guard (1...10_000).contains(hz) else { throw ValidationError("--hz must be in 1...10000; got \(hz)") }
        guard (1...1_000_000).contains(faultPeriod) else { throw ValidationError("--fault-period must be in 1...1000000; got \(faultPeriod)") }
        guard allocRate.bytes >= 1 else { throw ValidationError("--alloc-rate must be at least 1 byte; got \(allocRate)") }
        if all, kind.kinds.contains(where: \.isMemory) {
            throw ValidationError("--kind alloc/inuse probe the allocator of given processes (--pid, --service), not --all: every process on the machine would trap on every malloc")
        }
        guard window.seconds >= 1 else { throw ValidationError("--window must be at least 1s; got \(window)") }
        guard retention.seconds >= window.seconds else { throw ValidationError("--retention must be at least one window") }
        guard maxSize.bytes >= 1 << 20 else { throw ValidationError("--max-size must be at least 1MiB") }
        guard statusInterval.seconds >= 1 else { throw ValidationError("--status-interval must be at least 1s; got \(statusInterval)") }
        if let pushPyroscope, URL(string: pushPyroscope)?.scheme?.hasPrefix("http") != true {
            throw ValidationError("--push-pyroscope must be an http(s) URL, e.g. http://127.0.0.1:4040; got \(pushPyroscope)")
        }
    }

    func run() throws {
        var config = ContinuousAgentConfig(storePath: try ContinuousAgentConfig.storePath(storePath),
                                           targets: all ? .all : service ? .service : .pids(pids))
        config.windowSeconds = window.seconds
        config.hz = hz
        config.kinds = kind.kinds
        config.unwind = unwind
        config.python = python
        config.swiftAsync = swiftAsync
        config.faultPeriod = faultPeriod
        config.allocRateBytes = UInt64(allocRate.bytes)
        config.retention = RetentionPolicy(maxAgeNs: Nanoseconds.saturating(seconds: retention.seconds), maxBytes: maxSize.bytes,
                                           fullDetailNs: Nanoseconds.saturating(seconds: fullDetail.seconds))
        config.statusSeconds = statusInterval.seconds
        config.pyroscopeURL = pushPyroscope
        let agent = try ContinuousAgent(config: config)
        let stop = DispatchSemaphore(value: 0)
        StopSignal.install(onHangUp: { agent.log(agent.snapshot().line) }, onFlush: { agent.flush() }) { stop.signal() }
        try agent.start()
        if exitWithParent { Self.stopWhenOrphaned(stop) }
        if let readyFile { try PrivateFile.write(Data(), to: readyFile) }
        agent.log("lab agent: writing \(config.windowSeconds) s windows to \(config.storePath) (\(hz) Hz, \(unwind.rawValue), \(kind))")
        if let duration { _ = stop.wait(timeout: .now() + duration.seconds) } else { stop.wait() }
        let final = agent.stop()
        agent.log(final.line)
        if let statsJSON { try PrivateFile.writeJSON(final, to: statsJSON) }
    }

    /// Signals `stop` once this process's parent is gone (it is re-parented): a `lab serve` or `lab run`
    /// killed with -9 must not leave a root agent attached and holding the store. Polled, since
    /// prctl(PR_SET_PDEATHSIG) is variadic C that Swift cannot call.
    private static func stopWhenOrphaned(_ stop: DispatchSemaphore) {
        let parent = getppid()
        let watcher = Thread {
            while getppid() == parent { Thread.sleep(forTimeInterval: 0.5) }
            FileHandle.standardError.write(Data("lab agent: the process that started it (pid \(parent)) is gone: stopping\n".utf8))
            stop.signal()
        }
        watcher.name = "lab-agent-parent-watch"
        watcher.start()
    }
}
