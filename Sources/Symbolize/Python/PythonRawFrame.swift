/// One Python frame as the BPF walker recorded it (`struct flamelab_py_frame` in bpf/python.h).
public struct PythonRawFrame: Hashable, Sendable {
    /// `PyCodeObject*` in the profiled process.
    public var code: UInt64
    /// `co_firstlineno` read at sample time: with `code`, the key names are cached under.
    public var firstLineNumber: Int32
    /// Code units executed into `co_code_adaptive` (`prev_instr` based); -1 before the first instruction.
    public var lasti: Int32
    /// 0-based index, from the leaf, of the `_PyEval_EvalFrameDefault` running this frame.
    public var group: UInt32

    public init(code: UInt64, firstLineNumber: Int32, lasti: Int32, group: UInt32) {
        self.code = code
        self.firstLineNumber = firstLineNumber
        self.lasti = lasti
        self.group = group
    }
}
