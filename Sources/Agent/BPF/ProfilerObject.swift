import ProfileModel
import CBPF
import Symbolize
import Foundation

/// The loaded profiler.bpf.o: libbpf's lifecycle open -> set rodata -> load -> attach -> destroy.
///
/// Every attachment is an fd-based link owned by this process, so the kernel detaches them when the
/// process dies, even by SIGKILL: no probe outlives the agent.
final class ProfilerObject {
    private let object: OpaquePointer
    private var links: [OpaquePointer] = []
    /// The sched_switch hook the off-CPU program was loaded for; nil when off-CPU is not recorded.
    private(set) var schedSwitchHook: SchedSwitchHook?

    private init(object: OpaquePointer) {
        self.object = object
    }

    deinit {
        for link in links { bpf_link__destroy(link) }
        bpf_object__close(object)
    }

    /// Opens, configures and loads the object. Off-CPU tries each `SchedSwitchHook` in order and
    /// keeps the first the kernel accepts.
    static func load(path: String, settings: flamelab_settings, ringBufferBytes: Int, cpu: Bool, offCPU: Bool,
                     faults: Bool = false) throws -> ProfilerObject {
        cbpf_install_print_callback(ProcessInfo.processInfo.environment["FLAMELAB_BPF_DEBUG"] != nil ? 1 : 0)
        var failures: [String] = []
        var hooks: [SchedSwitchHook?] = offCPU ? SchedSwitchHook.allCases : [nil]
        // FLAMELAB_SCHED_SWITCH_HOOK=raw_tp|tracepoint forces a fallback (to test it on a kernel with BTF).
        if offCPU, let forced = ProcessInfo.processInfo.environment["FLAMELAB_SCHED_SWITCH_HOOK"].flatMap(SchedSwitchHook.init(rawValue:)) {
            hooks = [forced]
        }
        for hook in hooks {
            if hook == .tracepoint, let reason = Tracefs.ensureMounted() { failures.append("tracepoint: \(reason)"); continue }
            cbpf_clear_log()
            guard let raw = bpf_object__open_file(path, nil) else {
                throw FlamelabError("failed to open BPF object \(path): \(String(cString: strerror(errno)))")
            }
            let candidate = ProfilerObject(object: raw)
            try candidate.configure(settings: settings, ringBufferBytes: ringBufferBytes, cpu: cpu, faults: faults, hook: hook)
            let err = bpf_object__load(raw)
            if err == 0 {
                candidate.schedSwitchHook = hook
                return candidate
            }
            failures.append("\(hook?.rawValue ?? "perf_event"): \(String(cString: strerror(-err)))\(Self.logTail())")
        }
        throw FlamelabError("failed to load BPF programs from \(path): \(failures.joined(separator: "; "))")
    }

    private func configure(settings: flamelab_settings, ringBufferBytes: Int, cpu: Bool, faults: Bool, hook: SchedSwitchHook?) throws {
        var settings = settings
        let err = withUnsafeBytes(of: &settings) { bytes in
            cbpf_set_rodata(object, profilerSettingsVariable, bytes.baseAddress, bytes.count)
        }
        guard err == 0 else { throw FlamelabError("failed to set BPF settings: \(String(cString: strerror(-err)))") }
        try bpf_program__set_autoload(program(.cpuSample), cpu)
        try bpf_program__set_autoload(program(.faultSample), faults)
        for candidate in SchedSwitchHook.allCases {
            try bpf_program__set_autoload(program(candidate.program), candidate == hook)
        }
        guard bpf_map__set_max_entries(try map(.events), UInt32(ringBufferBytes)) == 0
        else { throw FlamelabError("failed to size the BPF ring buffer \(ProfilerMap.events.rawValue) to \(ringBufferBytes) bytes: refused") }
    }

    private func program(_ name: ProfilerProgram) throws -> OpaquePointer {
        guard let program = bpf_object__find_program_by_name(object, name.rawValue) else {
            throw FlamelabError("failed to find BPF program \(name.rawValue) in the object (stale bpf/.output? run `make -C bpf`)")
        }
        return program
    }

    private func map(_ name: ProfilerMap) throws -> OpaquePointer {
        guard let map = bpf_object__find_map_by_name(object, name.rawValue) else {
            throw FlamelabError("failed to find BPF map \(name.rawValue) in the object (stale bpf/.output? run `make -C bpf`)")
        }
        return map
    }

    /// Opens one cpu-clock perf event per online CPU at `hz` and attaches the sampler to each.
    /// Returns the number of CPUs sampled.
    func attachCPUSampler(hz: Int) throws -> Int {
        try attachPerCPU(.cpuSample, event: "cpu-clock", sampler: "CPU sampler") { cbpf_perf_event_open_cpu_clock($0, UInt64(hz)) }
    }

    /// Opens one page-faults perf event per online CPU, overflowing every `period` faults, and attaches
    /// the fault sampler to each. Returns the number of CPUs sampled.
    func attachFaultSampler(period: Int) throws -> Int {
        try attachPerCPU(.faultSample, event: "page-faults", sampler: "page-fault sampler") { cbpf_perf_event_open_page_faults($0, UInt64(period)) }
    }

    private func attachPerCPU(_ name: ProfilerProgram, event: String, sampler: String, open: (Int32) -> Int32) throws -> Int {
        let program = try program(name)
        var attached = 0
        for cpu in 0..<max(1, Int(libbpf_num_possible_cpus())) {
            let fd = open(Int32(cpu))
            if fd == -ENODEV { continue } // offline CPU
            guard fd >= 0 else {
                throw FlamelabError("failed to open the \(event) perf event on CPU \(cpu): \(String(cString: strerror(-fd)))")
            }
            guard let link = bpf_program__attach_perf_event(program, fd) else {
                let reason = String(cString: strerror(errno))
                Glibc.close(fd)
                throw FlamelabError("failed to attach the \(sampler) on CPU \(cpu): \(reason)")
            }
            links.append(link)
            attached += 1
        }
        return attached
    }

    /// Attaches the off-CPU program chosen at load time.
    func attachOffCPU() throws {
        guard let hook = schedSwitchHook else {
            throw FlamelabError("failed to attach the off-CPU program: it was not loaded")
        }
        guard let link = bpf_program__attach(try program(hook.program)) else {
            throw FlamelabError("failed to attach \(hook.program.rawValue) (\(hook.rawValue)/sched_switch): \(String(cString: strerror(errno)))")
        }
        links.append(link)
    }

    /// Detaches every program now (the object stays loaded so that maps can still be read).
    func detachAll() {
        for link in links { bpf_link__destroy(link) }
        links.removeAll()
    }

    func mapFD(_ name: ProfilerMap) throws -> Int32 {
        bpf_map__fd(try map(name))
    }

    /// Adds a tgid to the set the programs sample.
    func addTarget(pid: Int32) throws {
        var key = UInt32(bitPattern: pid)
        var one: UInt8 = 1
        try update(map: .targets, key: &key, value: &one, what: "add pid \(pid) to the targets")
    }

    /// Stops sampling a tgid (continuous mode, when a target exits or is dropped).
    func removeTarget(pid: Int32) {
        guard let fd = try? mapFD(.targets) else { return }
        var key = UInt32(bitPattern: pid)
        _ = bpf_map_delete_elem(fd, &key)
    }

    /// Deletes what the maps keep for a process that exited (its trace-context offset, its Python
    /// registration), so that a long-lived agent's per-process maps never fill up.
    func forget(pid: Int32) {
        var key = UInt32(bitPattern: pid)
        for name in [ProfilerMap.tlsOffsets, .pythonProcesses, .fullStack] {
            if let fd = try? mapFD(name) { _ = bpf_map_delete_elem(fd, &key) }
        }
    }

    /// Makes auto mode copy `pid`'s full stack from now on: its bounded copies could not be joined to
    /// its frame-pointer walk (its code keeps no frame pointer and rbp holds data).
    func requireFullStack(pid: Int32) throws {
        var key = UInt32(bitPattern: pid)
        var value: UInt8 = 1
        try update(map: .fullStack, key: &key, value: &value, what: "require full stack copies for pid \(pid)")
    }

    /// Records where `pid`'s OpenTelemetry thread-context pointer lives (bpf/thread_context.h).
    func setTraceContextLocation(pid: Int32, location: TraceContextLocation) throws {
        var key = UInt32(bitPattern: pid)
        var value = flamelab_tls_location()
        switch location {
        case .threadPointer(let offset):
            value.kind = FLAMELAB_TLS_STATIC.rawValue
            value.tp_offset = offset
        case .dynamicThreadVector(let moduleID, let offset):
            value.kind = FLAMELAB_TLS_DTV.rawValue
            value.module_id = moduleID
            value.offset = offset
        }
        try update(map: .tlsOffsets, key: &key, value: &value, what: "set the trace context location of pid \(pid)")
    }

    /// Stores `value` (raw bytes) for `key` in map `name`.
    func update<K: BitwiseCopyable, V: BitwiseCopyable>(map name: ProfilerMap, key: inout K, value: inout V, what: String) throws {
        let fd = try mapFD(name)
        let err = withUnsafeBytes(of: &key) { k in
            withUnsafeBytes(of: &value) { v in bpf_map_update_elem(fd, k.baseAddress, v.baseAddress, UInt64(BPF_ANY)) }
        }
        guard err == 0 else { throw FlamelabError("failed to \(what): \(String(cString: strerror(-err)))") }
    }

    /// The per-CPU counters summed over CPUs; nil when the map cannot be read.
    func counters() -> ProfilerCounters? {
        guard let fd = try? mapFD(.counters) else { return nil }
        let cpus = max(1, Int(libbpf_num_possible_cpus()))
        var totals = [UInt64](repeating: 0, count: Int(FLAMELAB_COUNTER_COUNT.rawValue))
        var values = [UInt64](repeating: 0, count: cpus)
        for index in 0..<totals.count {
            var key = UInt32(index)
            if bpf_map_lookup_elem(fd, &key, &values) == 0 { totals[index] = values.reduce(0, &+) }
        }
        return ProfilerCounters(totals)
    }

    /// Run count and cumulated run time of each loaded program (run time is 0 unless BPF stats are on).
    func programStats() -> [BPFProgramStats] {
        var result: [BPFProgramStats] = []
        var program = bpf_object__next_program(object, nil)
        while let current = program {
            let fd = bpf_program__fd(current)
            if fd >= 0 {
                var info = bpf_prog_info()
                var length = UInt32(MemoryLayout<bpf_prog_info>.size)
                if bpf_obj_get_info_by_fd(fd, &info, &length) == 0 {
                    result.append(BPFProgramStats(name: String(cString: bpf_program__name(current)), runCount: info.run_cnt, runTimeNs: info.run_time_ns))
                }
            }
            program = bpf_object__next_program(object, current)
        }
        return result
    }

    private static func logTail() -> String {
        let lines = String(cString: cbpf_last_log()).split(separator: "\n").suffix(4)
        return lines.isEmpty ? "" : " (libbpf: \(lines.joined(separator: " | ")))"
    }
}
