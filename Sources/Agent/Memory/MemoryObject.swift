import CBPF
import Foundation
import ProfileModel

/// The loaded memory.bpf.o: the allocator uprobes of each target process, their ring buffer and counters.
///
/// Links are fd-based, as for the profiler: the kernel removes the probes when this process exits.
final class MemoryObject {
    private let object: OpaquePointer
    /// Per target process: its probes' links, and its uprobe-session links (fds: closing one detaches it).
    private var links: [Int32: [OpaquePointer]] = [:]
    private var sessionLinks: [Int32: [Int32]] = [:]
    /// Whether return probes and free are attached (in-use profile).
    let tracksInUse: Bool
    /// In-use: whether the allocators are probed by uprobe sessions (the return armed for sampled calls
    /// only) rather than an entry and a return probe on every call.
    private(set) var usesSessions = false

    /// Opens, configures (`rateBytes`, in-use tracking, the exponential table) and loads the object.
    /// `sharedMaps`: profiler.bpf.o's maps by name (`flamelab_tls_offsets`, `flamelab_py_procs`), reused
    /// here so that what the agent publishes there (trace-context locations, Python processes) serves
    /// the memory probes too. `python`: walk CPython frames. In-use loads the uprobe-session programs
    /// too, and falls back to entry + return probes when the kernel refuses them (before 6.13).
    init(path: String, rateBytes: UInt64, inUse: Bool, python: Bool, ringBufferBytes: Int, sharedMaps: [String: Int32]) throws {
        cbpf_install_print_callback(ProcessInfo.processInfo.environment["FLAMELAB_BPF_DEBUG"] != nil ? 1 : 0)
        var settings = flamelab_mem_settings()
        settings.rate_bytes = rateBytes
        settings.inuse = inUse ? 1 : 0
        settings.python = python ? 1 : 0
        let table = AllocationWeight.exponentialTable(count: Int(FLAMELAB_MEM_EXP_TABLE_SIZE), shift: Int(FLAMELAB_MEM_EXP_SHIFT))
        withUnsafeMutableBytes(of: &settings.exp_table) { slots in
            table.withUnsafeBytes { slots.copyMemory(from: $0) }
        }
        tracksInUse = inUse
        var failures: [String] = []
        // FLAMELAB_MEMORY_SESSIONS=0 forces the entry + return probes (to measure or test the fallback).
        let sessionsAllowed = ProcessInfo.processInfo.environment["FLAMELAB_MEMORY_SESSIONS"] != "0"
        for sessions in inUse && sessionsAllowed ? [true, false] : [false] {
            let raw = try Self.open(path: path, settings: settings, ringBufferBytes: ringBufferBytes, sharedMaps: sharedMaps, sessions: sessions)
            let loaded = bpf_object__load(raw)
            if loaded == 0 {
                object = raw
                usesSessions = sessions
                return
            }
            let log = String(cString: cbpf_last_log()).split(separator: "\n").suffix(3).joined(separator: " | ")
            failures.append("\(sessions ? "with" : "without") uprobe sessions: \(String(cString: strerror(-loaded))) \(log)")
            bpf_object__close(raw)
        }
        throw FlamelabError("failed to load BPF programs from \(path): \(failures.joined(separator: "; "))")
    }

    /// Opens the object and configures it for load; `sessions`: load the session programs (attach type
    /// BPF_TRACE_UPROBE_SESSION) or leave them out.
    private static func open(path: String, settings: flamelab_mem_settings, ringBufferBytes: Int, sharedMaps: [String: Int32],
                             sessions: Bool) throws -> OpaquePointer {
        cbpf_clear_log()
        guard let raw = bpf_object__open_file(path, nil) else {
            throw FlamelabError("failed to open BPF object \(path): \(String(cString: strerror(errno)))")
        }
        do {
            var settings = settings
            let err = withUnsafeBytes(of: &settings) { cbpf_set_rodata(raw, "flamelab_mem_settings", $0.baseAddress, $0.count) }
            guard err == 0 else { throw FlamelabError("failed to set the memory BPF settings: \(String(cString: strerror(-err)))") }
            guard let events = bpf_object__find_map_by_name(raw, "flamelab_mem_events"),
                  bpf_map__set_max_entries(events, UInt32(ringBufferBytes)) == 0 else {
                throw FlamelabError("failed to size the memory ring buffer to \(ringBufferBytes) bytes (stale bpf/.output? run `make -C bpf`)")
            }
            for (name, fd) in sharedMaps.sorted(by: { $0.key < $1.key }) {
                guard let map = bpf_object__find_map_by_name(raw, name) else {
                    throw FlamelabError("failed to find BPF map \(name) in \(path) (stale bpf/.output? run `make -C bpf`)")
                }
                let reused = bpf_map__reuse_fd(map, fd)
                guard reused == 0 else { throw FlamelabError("failed to share BPF map \(name) with the memory probes: \(String(cString: strerror(-reused)))") }
            }
            for function in AllocatorFunction.allCases where function.hasReturnProbe {
                guard let program = bpf_object__find_program_by_name(raw, function.sessionProgram) else {
                    throw FlamelabError("failed to find BPF program \(function.sessionProgram) (stale bpf/.output? run `make -C bpf`)")
                }
                bpf_program__set_autoload(program, sessions)
                if sessions { bpf_program__set_expected_attach_type(program, bpf_attach_type(rawValue: UInt32(CBPF_TRACE_UPROBE_SESSION))) }
            }
            return raw
        } catch {
            bpf_object__close(raw)
            throw error
        }
    }

    deinit {
        detachAll()
        bpf_object__close(object)
    }

    /// Attaches the probes to `pid`'s libc allocator: entries (and, for in-use, returns and free).
    /// Returns the libc file probed.
    @discardableResult
    func attach(pid: Int32) throws -> String {
        let wanted = AllocatorFunction.allCases.filter { tracksInUse || $0.neededForAllocOnly }
        let allocators = try LibcAllocators.resolve(pid: pid, functions: wanted)
        for function in wanted {
            // A libc without posix_memalign or aligned_alloc (old or minimal) loses those calls only.
            guard let located = allocators.functions[function] else { continue }
            if tracksInUse && function.hasReturnProbe && usesSessions {
                try attachSession(program: function.sessionProgram, pid: pid, function: located)
                continue
            }
            try attach(program: function.entryProgram, returnProbe: false, pid: pid, function: located)
            if tracksInUse && function.hasReturnProbe {
                try attach(program: AllocatorFunction.returnProgram, returnProbe: true, pid: pid, function: located)
            }
        }
        return allocators.libcPath
    }

    private func attach(program name: String, returnProbe: Bool, pid: Int32, function: UprobeFunction) throws {
        guard let program = bpf_object__find_program_by_name(object, name) else {
            throw FlamelabError("failed to find BPF program \(name) (stale bpf/.output? run `make -C bpf`)")
        }
        guard let link = bpf_program__attach_uprobe(program, returnProbe, pid, function.binaryPath, Int(function.fileOffset)) else {
            throw FlamelabError("failed to attach \(returnProbe ? "uretprobe" : "uprobe") to \(function.mangledName) in pid \(pid) at \(function.binaryPath)+0x\(String(function.fileOffset, radix: 16)): \(String(cString: strerror(errno)))")
        }
        links[pid, default: []].append(link)
    }

    private func attachSession(program name: String, pid: Int32, function: UprobeFunction) throws {
        guard let program = bpf_object__find_program_by_name(object, name) else {
            throw FlamelabError("failed to find BPF program \(name) (stale bpf/.output? run `make -C bpf`)")
        }
        let fd = cbpf_attach_uprobe_session(bpf_program__fd(program), function.binaryPath, function.fileOffset, pid)
        guard fd >= 0 else {
            throw FlamelabError("failed to attach a uprobe session to \(function.mangledName) in pid \(pid) at \(function.binaryPath)+0x\(String(function.fileOffset, radix: 16)): \(String(cString: strerror(-fd)))")
        }
        sessionLinks[pid, default: []].append(fd)
    }

    /// Detaches every probe (the maps stay readable).
    func detachAll() {
        for pid in Set(links.keys).union(sessionLinks.keys) { detach(pid: pid) }
    }

    /// Detaches `pid`'s probes (continuous mode: a target removed or gone).
    func detach(pid: Int32) {
        for link in links.removeValue(forKey: pid) ?? [] { bpf_link__destroy(link) }
        for fd in sessionLinks.removeValue(forKey: pid) ?? [] { close(fd) }
    }

    /// Forgets `pid`'s tracked addresses in the live map: a process that exited freed them without a
    /// `free`, and they would fill the map over a long run.
    func forgetLive(pid: Int32, addresses: [UInt64]) {
        guard let map = bpf_object__find_map_by_name(object, "flamelab_mem_live") else { return }
        for address in addresses {
            var key = flamelab_mem_live_key(address: address, pid: UInt32(bitPattern: pid), reserved: 0)
            _ = bpf_map_delete_elem(bpf_map__fd(map), &key)
        }
    }

    /// The ring buffer's fd, for `RingBufferReader`.
    func eventsFD() throws -> Int32 {
        guard let map = bpf_object__find_map_by_name(object, "flamelab_mem_events") else {
            throw FlamelabError("failed to find BPF map flamelab_mem_events (stale bpf/.output? run `make -C bpf`)")
        }
        return bpf_map__fd(map)
    }

    /// The BPF counters summed over CPUs, indexed by `flamelab_mem_counter`.
    func counters() -> [UInt64] {
        let count = Int(FLAMELAB_MEM_COUNTER_COUNT.rawValue)
        var sums = [UInt64](repeating: 0, count: count)
        guard let map = bpf_object__find_map_by_name(object, "flamelab_mem_counters") else { return sums }
        let cpus = max(1, Int(libbpf_num_possible_cpus()))
        var values = [UInt64](repeating: 0, count: cpus)
        for index in 0..<count {
            var key = UInt32(index)
            guard bpf_map_lookup_elem(bpf_map__fd(map), &key, &values) == 0 else { continue }
            sums[index] = values.reduce(0, &+)
        }
        return sums
    }
}
