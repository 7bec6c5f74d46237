import Foundation

/// The peer profilers flamelab measures itself against, and the one place their command lines are
/// built: the overhead scenario runs them for their cost, the polyglot scenario for their stacks.
public enum PeerTool: String, CaseIterable, Codable, Sendable {
    /// `perf record -g`: frame-pointer call graphs.
    case perfFramePointer = "perf -g"
    /// `perf record --call-graph dwarf`: 8 KiB of stack per sample, unwound by `perf script`.
    case perfDwarf = "perf --call-graph dwarf"
    /// bpftrace `profile:hz` with user and kernel stacks.
    case bpftrace
    /// py-spy (PyPI): reads the interpreter's frames from outside with process_vm_readv, the
    /// Python peer. `--gil` keeps the thread holding the GIL (the one on CPU, as flamelab samples).
    case pySpy = "py-spy"

    /// The program's name on PATH.
    public var executable: String {
        switch self {
        case .perfFramePointer, .perfDwarf: return "perf"
        case .bpftrace: return "bpftrace"
        case .pySpy: return "py-spy"
        }
    }

    /// How to install it (the Makefile installs all of them).
    public var installHint: String {
        switch self {
        case .perfFramePointer, .perfDwarf: return "apt-get install linux-perf"
        case .bpftrace: return "apt-get install bpftrace"
        case .pySpy: return "pip install py-spy"
        }
    }

    /// The installed executable, if any.
    public var installedPath: String? { ExecutablePath.find(executable) }

    /// bpftrace 0.17 caches user symbols only when ASLR is off ("auto"); otherwise it re-reads the
    /// ELF file for every address, which took 53 s for 81 stacks of the 47 MB service binary (2.8 s
    /// with the cache). The target keeps its mappings for the run, so the cache is safe here.
    public var environment: [String: String] { self == .bpftrace ? ["BPFTRACE_CACHE_USER_SYMBOLS": "1"] : [:] }

    /// bpftrace's program: the same walk and symbols as the default `ustack`, in perf print mode,
    /// which adds each frame's module (the frame classifier needs it); it exits after `seconds`.
    static func bpftraceProgram(pid: Int32, hz: Int, seconds: Double?) -> String {
        let stop = seconds.map { " interval:ms:\(Int($0 * 1000)) { exit(); }" } ?? ""
        return "profile:hz:\(hz) /pid == \(pid)/ { @[ustack(perf), kstack(perf)] = count(); }" + stop
    }

    /// The arguments (after the executable) that profile `pid` at `hz` into `output`; with `seconds`
    /// the tool stops by itself after that long, else at SIGINT. bpftrace without `output` prints to
    /// stdout (where it also says "Attaching N probes" once it samples).
    public func arguments(pid: Int32, hz: Int, output: String?, seconds: Double?) -> [String] {
        switch self {
        case .perfFramePointer, .perfDwarf:
            let graph = self == .perfFramePointer ? ["-g"] : ["--call-graph", "dwarf"]
            let stop = seconds.map { ["--", "sleep", String(format: "%.1f", $0)] } ?? []
            return ["record", "-q", "-F", "\(hz)"] + graph + ["-p", "\(pid)", "-o", output ?? "perf.data"] + stop
        case .bpftrace:
            return (output.map { ["-o", $0] } ?? []) + ["-e", Self.bpftraceProgram(pid: pid, hz: hz, seconds: seconds)]
        case .pySpy:
            // py-spy needs a duration; `--nonblocking` never pauses the target. Raw output is folded stacks.
            return ["record", "--pid", "\(pid)", "--rate", "\(hz)", "--duration", "\(Int((seconds ?? 3600).rounded(.up)))",
                    "--format", "raw", "--nonblocking", "--gil", "-o", output ?? "py-spy.txt"]
        }
    }

    /// The command as a reader would type it.
    public func commandLine(pid: Int32, hz: Int) -> String {
        switch self {
        case .perfFramePointer: return "perf record -F \(hz) -g -p \(pid)"
        case .perfDwarf: return "perf record -F \(hz) --call-graph dwarf -p \(pid)"
        case .bpftrace: return "bpftrace -e '\(Self.bpftraceProgram(pid: pid, hz: hz, seconds: nil))'"
        case .pySpy: return "py-spy record --pid \(pid) --rate \(hz) --format raw --nonblocking --gil"
        }
    }
}
