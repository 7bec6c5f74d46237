/// The BPF walker's offsets for one interpreter, field for field `struct flamelab_py_offsets` of
/// bpf/python.h: the agent copies them into `flamelab_py_procs[tgid].offsets`. `absent` marks a field
/// the version does not have (3.11's `is_entry` and `tstate_current`, 3.12's C-stack owner value, ...).
public struct PythonWalkerOffsets: Sendable, Equatable {
    /// bpf/python.h FLAMELAB_PY_ABSENT.
    public static let absent: UInt32 = 0xffff_ffff

    public var runtimeTstateCurrent: UInt32
    public var runtimeInterpretersHead: UInt32
    public var interpNext: UInt32
    public var interpThreadsHead: UInt32
    public var tstateNext: UInt32
    public var tstateNativeThreadID: UInt32
    public var tstateFrame: UInt32
    public var cframeCurrentFrame: UInt32
    public var frameCode: UInt32
    public var frameInstr: UInt32
    public var framePrevious: UInt32
    public var frameOwner: UInt32
    public var frameIsEntry: UInt32
    public var frameOwnerCStack: UInt32
    public var codeFirstLineNumber: UInt32
    public var codeCodeAdaptive: UInt32
    public var codeUnitSize: UInt32
    public var versionHex: UInt32

    /// The offsets generated at build time from CPython 3.`minor`'s headers, nil when flamelab has none.
    public static func buildTime(minor: Int) -> PythonWalkerOffsets? { PythonLayout.buildTime(minor: minor)?.walkerOffsets }
}
