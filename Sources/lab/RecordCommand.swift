import Agent
import ArgumentParser
import Foundation
import LabRuntime
import ProfileModel
import ProfileStore

/// `lab record`: profile processes with the eBPF agent and write the profiles to a file or the store.
struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record CPU, off-CPU and memory profiles of processes with the eBPF agent (root).",
        discussion: """
        The output format follows the extension of -o: .folded, .pb.gz (pprof), .speedscope.json.
        With several kinds each goes to its own file (run.folded -> run.cpu.folded, run.offcpu.folded).
        `-o store` (or --store PATH) writes the runs into the profile store instead.
        Memory kinds (alloc: what was allocated; inuse: what is still live at the end) probe the targets'
        libc allocator with uprobes: every malloc/free traps (microseconds each), sampled or not; pprof
        carries objects and bytes (Go's alloc_objects/alloc_space, inuse_objects/inuse_space), the other
        formats the --sample-type one.
        The cheap memory kind, faults, samples page faults with their user stacks (one sample every
        --fault-period faults, each weighing as many): where resident memory grows, at the cost of a CPU
        sample per period, with no probe in the allocator. It shows first touches, not who keeps memory: use
        inuse for a leak's owner.
        Files are written with 0600 permissions: profiles are security-sensitive.

        Examples:
          lab record --pid 4242 --duration 30s -o shop.folded
          lab record --pid 4242 --pid 4243 --kind cpu,offcpu --min-block 1ms -o run.pb.gz
          lab record --service --python auto -o store
          lab record --all --hz 999 --duration 10s -o system.speedscope.json
          lab record --pid 4242 --unwind fp -o fp.folded   (cheapest: when all the code keeps frame pointers)
          lab record --pid 4242 --kind alloc,inuse --alloc-rate 512KiB -o heap.pb.gz
          lab record --pid 4242 --kind faults --duration 30s -o growth.pb.gz
        """
    )

    @Option(name: .customLong("pid"), help: "A process to profile with all its threads (repeatable).")
    var pids: [Int32] = []

    @Flag(name: .customLong("all"), help: "Profile every process on the machine.")
    var all = false

    @Flag(name: .customLong("service"), help: "Profile the shop service instances started by `lab service start`.")
    var service = false

    @Option(help: "How long to record, e.g. 30s, 2m (Ctrl-C stops early and still writes).")
    var duration = Duration(seconds: 30)

    @Option(help: "CPU sampling frequency per CPU, 1...10000 Hz.")
    var hz = 99

    @Option(help: "Profiles to record, comma-separated: cpu, offcpu, alloc (memory allocated), inuse (memory still live at the end), faults (page faults: where RSS grows).")
    var kind = KindList(.cpu)

    @Option(name: .customLong("alloc-rate"), help: "Memory kinds: mean bytes allocated between two samples (Poisson byte sampling; 1 samples every allocation), e.g. 512KiB.")
    var allocRate = ByteSize(bytes: Int64(AgentConfig.defaultAllocRateBytes))

    @Option(name: .customLong("fault-period"), help: "faults: one sample every N page faults on a CPU, each weighing N (1...1000000).")
    var faultPeriod = AgentConfig.defaultFaultPeriod

    @Option(name: .customLong("sample-type"), help: "Memory kinds in folded and speedscope output: space (bytes) or objects (allocations). pprof carries both.")
    var sampleType = MemorySampleType.space

    @Option(help: "User stack unwinding: auto (frame pointers where the code keeps them, DWARF from eh_frame elsewhere; the default), fp (frame pointers only, cheapest) or dwarf (always DWARF).")
    var unwind = UnwindMode.standard

    @Option(help: "Walk CPython 3.11, 3.12 and 3.13 frames: auto or off.")
    var python = PythonMode.auto

    @Flag(name: .customLong("swift-async"), inversion: .prefixedNo,
          help: "Read Swift async callers (the awaiting functions) from the async context chain at sample time.")
    var swiftAsync = true

    @Flag(name: .customLong("trace-ids"), inversion: .prefixedNo,
          help: "Read each sample's trace and span ids (OpenTelemetry thread context) from processes that publish them.")
    var traceIDs = true

    @Option(name: .customLong("min-block"), help: "Shortest off-CPU interval recorded, e.g. 1ms or 0.5ms.")
    var minBlock = Duration(seconds: 0.001)

    @Option(name: .short, help: "Output: FILE.folded, FILE.pb.gz, FILE.speedscope.json, or `store`.")
    var output: String?

    @Option(name: .customLong("store"), help: "Write into this profile store file (default store: results/runs/profiles.sqlite).")
    var storePath: String?

    @Option(name: .customLong("label-service"), help: "Service name stored with the profiles.")
    var serviceLabel: String?

    @Option(name: .customLong("label-version"), help: "Version stored with the profiles.")
    var versionLabel: String?

    @Flag(name: .customLong("bpf-stats"), help: "Measure the BPF programs' time per run (kernel BPF statistics, on for this run only).")
    var bpfStats = false

    @Flag(help: "Show the progress line even when stderr is not a terminal.")
    var progress = false

    @Option(name: .customLong("stats-json"), help: "Also write the run's statistics (samples, drops, BPF time, agent CPU and peak RSS) as JSON here.")
    var statsJSON: String?

    @Option(name: .customLong("ready-file"), help: "Create this file once every program is attached and the targets' symbols are read (scripts start their load on it).")
    var readyFile: String?

    func validate() throws {
        let modes = [all, service, !pids.isEmpty].filter { $0 }.count
        guard modes == 1 else { throw ValidationError("give exactly one of --pid N (repeatable), --all, --service") }
        guard output != nil || storePath != nil else { throw ValidationError("give -o FILE (or -o store, or --store PATH)") }
        guard (1...10_000).contains(hz) else { throw ValidationError("--hz must be in 1...10000; got \(hz)") }
        guard allocRate.bytes >= 1 else { throw ValidationError("--alloc-rate must be at least 1 byte; got \(allocRate)") }
        guard duration.seconds > 0 else { throw ValidationError("--duration must be positive; got \(duration)") }
        if let output, output != "store", ProfileFormat(fileName: output) == nil {
            throw ValidationError("-o must end in one of \(ProfileFormat.knownExtensions) (or be `store`); got '\(output)'")
        }
    }

    func run() throws {
        let (targets, labels) = try resolveTargets()
        var config = AgentConfig(
            targets: targets, hz: hz, kinds: kind.kinds, unwind: unwind, python: python, durationSeconds: duration.seconds,
            minBlockNs: UInt64(minBlock.seconds * 1e9), measureBPFTime: bpfStats,
            service: serviceLabel ?? labels.service, version: versionLabel ?? labels.version, swiftAsync: swiftAsync, traceContext: traceIDs
        )
        config.allocRateBytes = UInt64(allocRate.bytes)
        config.faultPeriod = faultPeriod
        let sink = try makeSink()
        let agent = Agent(config: config)
        if progress || isatty(STDERR_FILENO) != 0 {
            let line = ProgressLine()
            agent.onProgress = { line.update($0.line) }
        }
        StopSignal.install { agent.requestStop() }
        try agent.start()
        if let readyFile {
            agent.waitUntilPrepared()
            try PrivateFile.write(Data(), to: readyFile)
        }
        let recording = agent.finish()
        Self.report(recording.stats)
        try sink.write(recording.profiles.map(oneValueForFormat), stats: recording.stats)
        if let statsJSON { try PrivateFile.writeJSON(recording.stats, to: statsJSON) }
    }

    /// Folded and speedscope carry one value: a memory profile gives them the --sample-type one.
    private func oneValueForFormat(_ profile: Profile) -> Profile {
        guard let output, ProfileFormat(fileName: output) != .pprof else { return profile }
        return profile.selectingSampleType(sampleType)
    }

    private func resolveTargets() throws -> (AgentConfig.Targets, (service: String?, version: String?)) {
        if all { return (.all, (nil, nil)) }
        if !pids.isEmpty { return (.pids(pids), (nil, nil)) }
        let live = ServiceController().status().filter(\.alive).map(\.instance)
        guard !live.isEmpty else { throw FlamelabError("failed to find the shop service: none is running (start it with `lab service start`)", code: .input) }
        let versions = Set(live.map(\.version))
        return (.pids(live.map(\.pid)), ("shop", versions.count == 1 ? versions.first : nil))
    }

    private func makeSink() throws -> ProfileSink {
        if output == "store" || (output == nil && storePath != nil) {
            return StoreProfileSink(path: storePath ?? ProfilesCommand.defaultStorePath)
        }
        let sink = try FileProfileSink(path: output ?? "")
        try sink.checkWritable()
        return sink
    }

    static func report(_ stats: AgentRunStats) {
        var lines = ["recorded: \(stats.summary)"]
        lines += stats.notes.map { "note: \($0)" }
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}
