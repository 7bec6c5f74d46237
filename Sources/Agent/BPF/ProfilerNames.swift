import CBPF

/// The exact names of profiler.bpf.o's programs and maps: the one table the Swift side looks them up
/// by. Why not `bpftool gen skeleton`: it embeds the object in a generated C header, which would make
/// the SwiftPM build depend on `make -C bpf`'s output and the object's location; the object is found
/// at run time instead, and a stale object fails at load with the missing name.
enum ProfilerProgram: String, CaseIterable {
    case cpuSample = "flamelab_cpu_sample"
    case faultSample = "flamelab_fault_sample"
    case switchBTF = "flamelab_switch_btf"
    case switchRaw = "flamelab_switch_raw"
    case switchTracepoint = "flamelab_switch_tp"
}

/// The maps of profiler.bpf.o the agent reads or fills.
enum ProfilerMap: String, CaseIterable {
    /// The ring buffer of `struct flamelab_event`.
    case events = "flamelab_events"
    /// Per-CPU counters indexed by `enum flamelab_counter`.
    case counters = "flamelab_counters"
    /// The tgids sampled when `filter_pids` is set.
    case targets = "flamelab_targets"
    /// Per tgid: where the trace context lives relative to the thread pointer.
    case tlsOffsets = "flamelab_tls_offsets"
    /// Per tgid: the CPython runtime address for the walker.
    case pythonProcesses = "flamelab_py_procs"
    /// The tgids whose samples copy the full stack in auto mode (a bounded copy could not be joined).
    case fullStack = "flamelab_full_stack"
    /// Per tgid: the Swift concurrency runtime's code range for the async walker.
    case swiftAsyncProcesses = "flamelab_swift_async_procs"
}

/// The `.rodata` variable holding `struct flamelab_settings`.
let profilerSettingsVariable = "flamelab_settings"

/// The per-CPU counters of `flamelab_counters`, summed over CPUs, by name.
struct ProfilerCounters: Sendable {
    var cpuSamples: UInt64 = 0
    var offCPUSamples: UInt64 = 0
    var ringBufferDrops: UInt64 = 0
    var offCPUMapFull: UInt64 = 0
    var tornTraceContexts: UInt64 = 0
    var stackCopyFailures: UInt64 = 0
    var shortBlocks: UInt64 = 0
    var faultSamples: UInt64 = 0

    /// From the array indexed by `enum flamelab_counter` (`FLAMELAB_COUNTER_COUNT` entries).
    init(_ values: [UInt64]) {
        func at(_ index: UInt32) -> UInt64 { Int(index) < values.count ? values[Int(index)] : 0 }
        cpuSamples = at(FLAMELAB_COUNTER_CPU_SAMPLES.rawValue)
        offCPUSamples = at(FLAMELAB_COUNTER_OFFCPU_SAMPLES.rawValue)
        ringBufferDrops = at(FLAMELAB_COUNTER_RINGBUF_DROPS.rawValue)
        offCPUMapFull = at(FLAMELAB_COUNTER_OFFCPU_MAP_FULL.rawValue)
        tornTraceContexts = at(FLAMELAB_COUNTER_TORN_CONTEXT.rawValue)
        stackCopyFailures = at(FLAMELAB_COUNTER_STACK_COPY_FAILS.rawValue)
        shortBlocks = at(FLAMELAB_COUNTER_OFFCPU_SHORT.rawValue)
        faultSamples = at(FLAMELAB_COUNTER_FAULT_SAMPLES.rawValue)
    }
}
