/// A process running a CPython interpreter that flamelab can read: where its `_PyRuntime` and the type
/// objects used to validate reads are. Made by `inspect(pid:)` / `detect(pid:)`; the agent registers
/// `runtimeAddress` and `walkerOffsets` with the BPF walker (see bpf/python.h).
public struct PythonProcessInfo: Sendable, Equatable {
    /// The process.
    public let pid: Int32
    /// The ELF file holding the interpreter: libpython3.1x.so (embedded or shared build) or a static python.
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
    /// Where this interpreter's offsets came from, for the run's log: "CPython 3.12.1 headers (build time)",
    /// or for 3.13+ "_Py_DebugOffsets of the interpreter (3.13.0) + ...".
    public let layoutSource: String
    /// The offsets and masks of this interpreter's version (build-time table, or its debug offsets).
    let layout: PythonLayout

    /// The BPF walker's offsets for this interpreter: `flamelab_py_procs[tgid].offsets`.
    public var walkerOffsets: PythonWalkerOffsets { layout.walkerOffsets }

    /// An interpreter with the build-time layout of its minor version (3.11 when flamelab has none).
    public init(pid: Int32, interpreterPath: String, version: PythonVersion, loadBias: UInt64, runtimeAddress: UInt64,
                codeTypeAddress: UInt64, unicodeTypeAddress: UInt64, bytesTypeAddress: UInt64) {
        let layout = PythonLayout.buildTime(minor: version.minor) ?? .python311
        self.init(pid: pid, interpreterPath: interpreterPath, version: version, loadBias: loadBias, runtimeAddress: runtimeAddress,
                  codeTypeAddress: codeTypeAddress, unicodeTypeAddress: unicodeTypeAddress, bytesTypeAddress: bytesTypeAddress,
                  layout: layout, layoutSource: "CPython \(PythonVersion(hex: layout.versionHex)) headers (build time)")
    }

    init(pid: Int32, interpreterPath: String, version: PythonVersion, loadBias: UInt64, runtimeAddress: UInt64,
         codeTypeAddress: UInt64, unicodeTypeAddress: UInt64, bytesTypeAddress: UInt64, layout: PythonLayout, layoutSource: String) {
        self.pid = pid
        self.interpreterPath = interpreterPath
        self.version = version
        self.loadBias = loadBias
        self.runtimeAddress = runtimeAddress
        self.codeTypeAddress = codeTypeAddress
        self.unicodeTypeAddress = unicodeTypeAddress
        self.bytesTypeAddress = bytesTypeAddress
        self.layout = layout
        self.layoutSource = layoutSource
    }

    /// The supported interpreter of `pid`, or nil (not Python, another version, or not inspectable:
    /// `inspect(pid:)` says which).
    public static func detect(pid: Int32) -> PythonProcessInfo? {
        if case .supported(let info) = inspect(pid: pid) { return info }
        return nil
    }
}
