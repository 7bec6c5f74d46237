/// A process running a CPython interpreter that flamelab can read: where its `_PyRuntime` and the type
/// objects used to validate reads are. Made by `inspect(pid:)` / `detect(pid:)`; the agent registers
/// `runtimeAddress` with the BPF walker (see bpf/python.h).
public struct PythonProcessInfo: Sendable, Equatable {
    /// The process.
    public let pid: Int32
    /// The ELF file holding the interpreter: libpython3.11.so (embedded or shared build) or a static python.
    public let interpreterPath: String
    /// The interpreter's version, read from its `Py_Version`.
    public let version: PythonVersion
    /// Run-time address minus ELF virtual address for `interpreterPath`.
    public let loadBias: UInt64
    /// Run-time address of `_PyRuntime`: the value of `flamelab_py_procs[tgid].runtime`.
    public let runtimeAddress: UInt64
    /// Run-time addresses of `PyCode_Type`, `PyUnicode_Type` and `PyBytes_Type` (0 when not exported):
    /// an object is only trusted when its `ob_type` is the expected one, since freed objects get reused.
    public let codeTypeAddress: UInt64
    public let unicodeTypeAddress: UInt64
    public let bytesTypeAddress: UInt64

    public init(pid: Int32, interpreterPath: String, version: PythonVersion, loadBias: UInt64, runtimeAddress: UInt64,
                codeTypeAddress: UInt64, unicodeTypeAddress: UInt64, bytesTypeAddress: UInt64) {
        self.pid = pid
        self.interpreterPath = interpreterPath
        self.version = version
        self.loadBias = loadBias
        self.runtimeAddress = runtimeAddress
        self.codeTypeAddress = codeTypeAddress
        self.unicodeTypeAddress = unicodeTypeAddress
        self.bytesTypeAddress = bytesTypeAddress
    }

    /// The supported interpreter of `pid`, or nil (not Python, another version, or not inspectable:
    /// `inspect(pid:)` says which).
    public static func detect(pid: Int32) -> PythonProcessInfo? {
        if case .supported(let info) = inspect(pid: pid) { return info }
        return nil
    }
}
