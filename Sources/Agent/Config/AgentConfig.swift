import CBPF
import Foundation
import ProfileModel

/// What one recording profiles and how. Validated by `validate()` before anything touches the kernel.
public struct AgentConfig: Sendable, Equatable {
    /// Which processes to sample.
    public enum Targets: Sendable, Equatable {
        /// These processes (tgids) and all their threads.
        case pids([Int32])
        /// Every process on the machine (the idle task excluded).
        case all
    }

    public var targets: Targets
    /// CPU sampling frequency per CPU, 1...10000 Hz.
    public var hz: Int
    /// Which profiles to record.
    public var kinds: Set<ProfileKind>
    public var unwind: UnwindMode
    public var python: PythonMode
    /// Seconds to record; nil records until `Agent.requestStop()` (or every target exited).
    public var durationSeconds: Double?
    /// Off-CPU intervals shorter than this are counted, not recorded.
    public var minBlockNs: UInt64
    /// Directory holding profiler.bpf.o; nil searches FLAMELAB_BPF_DIR, then bpf/.output upwards.
    public var bpfDirectory: String?
    /// Size of the BPF ring buffer in bytes (a power of two, at least one page). The default
    /// (`defaultRingBufferBytes`) follows the rate: four times what the CPU sampler can send between two
    /// drains. The mapping counts twice in RSS (libbpf maps the data pages twice so records can wrap),
    /// so it is not made larger than needed.
    public var ringBufferBytes: Int
    /// Turn on the kernel's BPF run-time statistics for the run (`bpf_enable_stats`, released with
    /// the agent): each program's time per run is then reported.
    public var measureBPFTime: Bool
    /// Labels for the profiles' metadata.
    public var service: String?
    public var version: String?
    /// Continuous mode: cut the stream into windows of this many seconds (`Agent.onWindow`), keep
    /// running when targets exit, and accept targets added later (`Agent.addTarget`). Nil records one run.
    public var windowSeconds: Double?
    /// Read Swift async callers (the async context chain) in processes that load libswift_Concurrency.
    public var swiftAsync: Bool
    /// Read each sample's trace context (OpenTelemetry's otel_thread_ctx_v1) in processes that publish it.
    public var traceContext: Bool
    /// Memory kinds (`alloc`, `inuse`): mean bytes allocated between two samples (Poisson byte
    /// sampling, as Go's MemProfileRate); 1 samples every allocation.
    public var allocRateBytes: UInt64 = Self.defaultAllocRateBytes
    /// DWARF modes: also unwind every sample the compiled rules unwound with libdwfl, and count where
    /// they disagree (`AgentRunStats.dwarfUnwinds`). For tests: it costs both unwinders.
    public var crossCheckDwarf = false
    /// 512 KiB, Go's and jemalloc's default.
    public static let defaultAllocRateBytes: UInt64 = 512 * 1024
    /// `faults`: one sample every this many page faults on a CPU (each sample weighs as many).
    public var faultPeriod = Self.defaultFaultPeriod
    /// 64 faults (256 KiB of fresh 4 KiB pages): a leak of 1 MiB/s gives 4 samples a second, a burst
    /// of 400,000 faults a second 6,250, and a sample (a CPU sample's cost, microseconds) adds a
    /// fraction of a microsecond to each fault's own cost of one or two.
    public static let defaultFaultPeriod = 64

    public init(
        targets: Targets, hz: Int = 99, kinds: Set<ProfileKind> = [.cpu], unwind: UnwindMode = .standard,
        python: PythonMode = .auto, durationSeconds: Double? = 30, minBlockNs: UInt64 = 1_000_000,
        bpfDirectory: String? = nil, ringBufferBytes: Int? = nil, measureBPFTime: Bool = false,
        service: String? = nil, version: String? = nil, windowSeconds: Double? = nil,
        swiftAsync: Bool = true, traceContext: Bool = true
    ) {
        self.swiftAsync = swiftAsync
        self.traceContext = traceContext
        self.windowSeconds = windowSeconds
        self.measureBPFTime = measureBPFTime
        self.targets = targets
        self.hz = hz
        self.kinds = kinds
        self.unwind = unwind
        self.python = python
        self.durationSeconds = durationSeconds
        self.minBlockNs = minBlockNs
        self.bpfDirectory = bpfDirectory
        self.ringBufferBytes = ringBufferBytes ?? Self.defaultRingBufferBytes(hz: hz, unwind: unwind, offCPU: kinds.contains(.offcpu),
                                                                               cpus: ProcessInfo.processInfo.activeProcessorCount,
                                                                               faults: kinds.contains(.faults))
        self.service = service
        self.version = version
    }

    /// How long the draining thread sleeps between two reads of the ring buffer: 1 s up to 100 Hz
    /// without stack copies (at 99 Hz the wakeups were half an idle agent's CPU), 250 ms up to 1 kHz,
    /// 50 ms above, and for stack copies (up to ~20 KiB each) above 250 Hz. Stops, window cuts and
    /// target changes wake it at once.
    public var drainIntervalSeconds: Double { Self.drainInterval(hz: hz, unwind: unwind) }

    static func drainInterval(hz: Int, unwind: UnwindMode) -> Double {
        if hz > 1000 || (unwind.copiesUserStack && hz > 250) { return 0.05 }
        return hz <= 100 && !unwind.copiesUserStack ? 1.0 : 0.25
    }

    /// Four times the CPU sampler's bytes per drain interval, a power of two from 1 to 16 MiB; 8 MiB at least
    /// with off-CPU or page-fault events, whose rates follow the service's blocking and memory growth, not the clock. Events are as long as
    /// their stacks: an event is reckoned at its header plus 64 kernel and 64 user frames (deeper than most),
    /// plus the whole stack copy in the modes that copy the stack. The ring's pages are resident once the
    /// producer has gone round it, so this size is part of the agent's RSS.
    public static func defaultRingBufferBytes(hz: Int, unwind: UnwindMode, offCPU: Bool, cpus: Int, faults: Bool = false) -> Int {
        let eventBytes = Int(cbpf_event_header_size()) + 2 * 64 * 8 + (unwind.copiesUserStack ? Int(FLAMELAB_STACK_DUMP_SIZE) : 0)
        let needed = 4 * Double(hz * max(cpus, 1) * eventBytes) * drainInterval(hz: hz, unwind: unwind)
        var bytes = offCPU || faults ? 8 << 20 : 1 << 20
        while Double(bytes) < needed && bytes < 16 << 20 { bytes <<= 1 }
        return bytes
    }

    /// Throws `FlamelabError` for settings no recording can honour.
    public func validate() throws {
        guard (1...10_000).contains(hz) else {
            throw FlamelabError("failed to configure the agent: --hz \(hz) is outside 1...10000")
        }
        guard !kinds.isEmpty else { throw FlamelabError("failed to configure the agent: no profile kind requested") }
        guard (1...1_000_000).contains(faultPeriod) else {
            throw FlamelabError("failed to configure the agent: --fault-period \(faultPeriod) is outside 1...1000000")
        }
        if case .pids(let pids) = targets {
            guard !pids.isEmpty || windowSeconds != nil else { throw FlamelabError("failed to configure the agent: no pid given") }
            if let bad = pids.first(where: { $0 <= 0 }) {
                throw FlamelabError("failed to configure the agent: \(bad) is not a valid pid")
            }
        }
        if let w = windowSeconds, !(w >= 0.1) {
            throw FlamelabError("failed to configure the agent: windows must last at least 0.1 s")
        }
        if let d = durationSeconds, !(d > 0) {
            throw FlamelabError("failed to configure the agent: duration must be positive")
        }
        try validateMemory()
        guard ringBufferBytes >= 4096, ringBufferBytes & (ringBufferBytes - 1) == 0 else {
            throw FlamelabError("failed to configure the agent: ring buffer size \(ringBufferBytes) is not a power of two >= 4096")
        }
    }

    /// Memory kinds probe libc in each target: never the whole machine (every process would trap on
    /// every malloc).
    private func validateMemory() throws {
        let memory = kinds.filter(\.isMemory).map(\.rawValue).sorted().joined(separator: ",")
        guard !memory.isEmpty else { return }
        if case .all = targets {
            throw FlamelabError("failed to configure the agent: --kind \(memory) probes the allocator of given processes only (--pid/--service), not --all: every process on the machine would trap on every malloc")
        }
        guard allocRateBytes >= 1 else { throw FlamelabError("failed to configure the agent: --alloc-rate must be at least 1 byte") }
    }
}
