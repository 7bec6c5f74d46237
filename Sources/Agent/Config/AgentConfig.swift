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
    /// Size of the BPF ring buffer in bytes (a power of two, at least one page). The default is 8 MiB
    /// for chosen processes, 16 MiB for the whole system: at least twice what arrives between two
    /// drains at 10 kHz FP or 1 kHz DWARF on two CPUs. The mapping counts twice in RSS (libbpf maps
    /// the data pages twice so records can wrap), so it is not made larger than needed.
    public var ringBufferBytes: Int
    /// Turn on the kernel's BPF run-time statistics for the run (`bpf_enable_stats`, released with
    /// the agent): each program's time per run is then reported.
    public var measureBPFTime: Bool
    /// Labels for the profiles' metadata.
    public var service: String?
    public var version: String?

    public init(
        targets: Targets, hz: Int = 99, kinds: Set<ProfileKind> = [.cpu], unwind: UnwindMode = .fp,
        python: PythonMode = .auto, durationSeconds: Double? = 30, minBlockNs: UInt64 = 1_000_000,
        bpfDirectory: String? = nil, ringBufferBytes: Int? = nil, measureBPFTime: Bool = false,
        service: String? = nil, version: String? = nil
    ) {
        self.measureBPFTime = measureBPFTime
        self.targets = targets
        self.hz = hz
        self.kinds = kinds
        self.unwind = unwind
        self.python = python
        self.durationSeconds = durationSeconds
        self.minBlockNs = minBlockNs
        self.bpfDirectory = bpfDirectory
        if case .all = targets { self.ringBufferBytes = ringBufferBytes ?? 16 << 20 } else { self.ringBufferBytes = ringBufferBytes ?? 8 << 20 }
        self.service = service
        self.version = version
    }

    /// Throws `AgentError` for settings no recording can honour.
    public func validate() throws {
        guard (1...10_000).contains(hz) else {
            throw AgentError("failed to configure the agent: --hz \(hz) is outside 1...10000")
        }
        guard !kinds.isEmpty else { throw AgentError("failed to configure the agent: no profile kind requested") }
        if case .pids(let pids) = targets {
            guard !pids.isEmpty else { throw AgentError("failed to configure the agent: no pid given") }
            if let bad = pids.first(where: { $0 <= 0 }) {
                throw AgentError("failed to configure the agent: \(bad) is not a valid pid")
            }
        }
        if let d = durationSeconds, !(d > 0) {
            throw AgentError("failed to configure the agent: duration must be positive")
        }
        guard ringBufferBytes >= 4096, ringBufferBytes & (ringBufferBytes - 1) == 0 else {
            throw AgentError("failed to configure the agent: ring buffer size \(ringBufferBytes) is not a power of two >= 4096")
        }
    }
}
