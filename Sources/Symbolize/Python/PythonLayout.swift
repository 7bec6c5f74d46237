import CPythonProbe

/// Where the walker and the resolver find things inside one CPython version's objects: offsets and bit
/// masks generated at build time from that version's own headers (bpf/gen_python_layout.c, compiled into
/// CPythonProbe), and for 3.13+ overridden at attach time by the interpreter's `_Py_DebugOffsets`.
struct PythonLayout: Sendable, Equatable {
    var raw: flamelab_py_layout

    /// A field the version does not have (bpf/python.h FLAMELAB_PY_ABSENT).
    static let absent: UInt32 = FLAMELAB_PY_LAYOUT_ABSENT

    /// Minor versions of CPython 3 flamelab has build-time tables for (and reads frames of).
    static let supportedMinors: ClosedRange<Int> = 11...13

    /// The table generated from CPython 3.`minor`'s headers, nil when flamelab has none.
    static func buildTime(minor: Int) -> PythonLayout? {
        guard minor >= 0, minor <= 0xff else { return nil }
        var raw = flamelab_py_layout()
        guard flamelab_py_layout_get(UInt32(minor), &raw) == 0 else { return nil }
        return PythonLayout(raw: raw)
    }

    /// 3.11, the layout of Debian's python3.11 the shop embeds: used for a process registered without a
    /// layout (the resolver's default).
    static let python311: PythonLayout = buildTime(minor: 11)!

    /// PY_VERSION_HEX of the headers the table came from.
    var versionHex: UInt32 { raw.version_hex }

    /// The walker's part (`struct flamelab_py_offsets`), for the agent to register.
    var walkerOffsets: PythonWalkerOffsets {
        PythonWalkerOffsets(
            runtimeTstateCurrent: raw.runtime_tstate_current, runtimeInterpretersHead: raw.runtime_interpreters_head,
            interpNext: raw.interp_next, interpThreadsHead: raw.interp_threads_head, tstateNext: raw.tstate_next,
            tstateNativeThreadID: raw.tstate_native_thread_id, tstateFrame: raw.tstate_frame,
            cframeCurrentFrame: raw.cframe_current_frame, frameCode: raw.frame_code, frameInstr: raw.frame_instr,
            framePrevious: raw.frame_previous, frameOwner: raw.frame_owner, frameIsEntry: raw.frame_is_entry,
            frameOwnerCStack: raw.frame_owner_cstack, codeFirstLineNumber: raw.code_firstlineno,
            codeCodeAdaptive: raw.code_code_adaptive, codeUnitSize: raw.code_unit_size, versionHex: raw.version_hex)
    }

    static func == (lhs: PythonLayout, rhs: PythonLayout) -> Bool {
        withUnsafeBytes(of: lhs.raw) { left in withUnsafeBytes(of: rhs.raw) { right in left.elementsEqual(right) } }
    }
}
