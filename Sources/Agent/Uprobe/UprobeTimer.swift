import ProfileModel
import CBPF
import Foundation

/// Targeted instrumentation: a uprobe/uretprobe pair (bpf/uprobe_timer.bpf.c) on one function (every
/// copy of it: specializations included) of one process, counting its calls and summing their time
/// per thread-call.
///
/// Unlike sampling it sees every call, but each probe hit traps into the kernel (microseconds), so it
/// is costly on a function called tens of thousands of times per request: measure before trusting.
/// The links are fd-based: the kernel removes the probes when this process exits, even by SIGKILL.
public final class UprobeTimer {
    public let pid: Int32
    /// The probed copies of the function.
    public let functions: [UprobeFunction]
    private let object: OpaquePointer
    private var links: [OpaquePointer] = []

    /// Resolves `functionName` in `pid`'s executable (see `UprobeFunction.resolve`), loads the BPF
    /// object and attaches entry and return probes. Throws `FlamelabError` with the reason.
    public convenience init(pid: Int32, functionName: String, bpfDirectory: String? = nil) throws {
        try self.init(pid: pid, functions: UprobeFunction.resolve(pid: pid, name: functionName), bpfDirectory: bpfDirectory)
    }

    /// Attaches the pair to every function of `functions` (copies of one function: they share the totals).
    public init(pid: Int32, functions: [UprobeFunction], bpfDirectory: String? = nil) throws {
        self.pid = pid
        self.functions = functions
        let path = try BPFObjectLocator.locate("uprobe_timer", explicitDirectory: bpfDirectory)
        cbpf_install_print_callback(ProcessInfo.processInfo.environment["FLAMELAB_BPF_DEBUG"] != nil ? 1 : 0)
        cbpf_clear_log()
        guard let raw = bpf_object__open_file(path, nil) else {
            throw FlamelabError("failed to open BPF object \(path): \(String(cString: strerror(errno)))")
        }
        object = raw
        let err = bpf_object__load(raw)
        guard err == 0 else {
            let log = String(cString: cbpf_last_log()).split(separator: "\n").suffix(3).joined(separator: " | ")
            throw FlamelabError("failed to load BPF programs from \(path): \(String(cString: strerror(-err))) \(log)")
        }
        // On a throw from here on, deinit detaches what was attached and closes the object.
        for function in functions {
            try attach(program: "uprobe_timer_enter", returnProbe: false, function: function)
            try attach(program: "uprobe_timer_exit", returnProbe: true, function: function)
        }
    }

    deinit {
        detach()
        bpf_object__close(object)
    }

    private func attach(program name: String, returnProbe: Bool, function: UprobeFunction) throws {
        guard let program = bpf_object__find_program_by_name(object, name) else {
            throw FlamelabError("failed to find BPF program \(name) (stale bpf/.output? run `make -C bpf`)")
        }
        guard let link = bpf_program__attach_uprobe(program, returnProbe, pid, function.binaryPath, Int(function.fileOffset)) else {
            throw FlamelabError("failed to attach \(returnProbe ? "uretprobe" : "uprobe") to \(function.demangledName) in pid \(pid) at \(function.binaryPath)+0x\(String(function.fileOffset, radix: 16)): \(String(cString: strerror(errno)))")
        }
        links.append(link)
    }

    /// Removes both probes now; the totals stay readable.
    public func detach() {
        for link in links { bpf_link__destroy(link) }
        links.removeAll()
    }

    /// Whether the probes are attached.
    public var isAttached: Bool { !links.isEmpty }

    /// The totals so far, summed over CPUs. Throws when the map cannot be read.
    public func totals() throws -> UprobeTimerTotals {
        guard let map = bpf_object__find_map_by_name(object, "uprobe_timer_totals") else {
            throw FlamelabError("failed to read the uprobe totals: map uprobe_timer_totals missing")
        }
        // struct uprobe_timer_totals (bpf/uprobe_timer.h): four u64 per CPU, in this order.
        let fields = 4
        let cpus = max(1, Int(libbpf_num_possible_cpus()))
        var values = [UInt64](repeating: 0, count: cpus * fields)
        var key: UInt32 = 0
        let err = bpf_map_lookup_elem(bpf_map__fd(map), &key, &values)
        guard err == 0 else { throw FlamelabError("failed to read the uprobe totals: \(String(cString: strerror(errno)))") }
        var sum = UprobeTimerTotals()
        for cpu in 0..<cpus {
            let base = cpu * fields
            sum.calls &+= values[base]
            sum.nanoseconds &+= values[base + 1]
            sum.entries &+= values[base + 2]
            sum.missedEntries &+= values[base + 3]
        }
        return sum
    }
}
