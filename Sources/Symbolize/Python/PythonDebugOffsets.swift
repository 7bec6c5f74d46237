import ProfileModel
import CPythonProbe

/// The offsets a CPython 3.13+ interpreter publishes about itself for out-of-process tools: the
/// `_Py_DebugOffsets` struct at the start of its `_PyRuntime` (cookie "xdebugpy", its PY_VERSION_HEX,
/// then one uint64 per field). Read at attach time, so a 3.13 patch release that moved a field is walked
/// with its own offsets, not the ones of the headers flamelab was built with.
///
/// Which field sits where inside `_Py_DebugOffsets` comes from the version's headers at build time
/// (`flamelab_py_debug_index`, bpf/gen_python_layout.c); the struct is only stable within a minor version.
///
/// What the debug offsets do not carry, and so still comes from the build-time table (`fallbackFields`):
/// the value of FRAME_OWNED_BY_CSTACK, sizeof(_Py_CODEUNIT), the str state bit masks, `_co_firsttraceable`,
/// and the facts that 3.13 has no `_PyCFrame`, no `is_entry` and no global `tstate_current`.
public struct PythonDebugOffsets: Sendable, Equatable {
    /// The fields of the build-time layout kept as they are when the debug offsets are applied.
    public static let fallbackFields = [
        "frame_owner_cstack", "code_unit_size", "code_firsttraceable", "str_state masks",
        "runtime_tstate_current (absent)", "cframe_current_frame (absent)", "frame_is_entry (absent)",
    ]

    /// PY_VERSION_HEX the interpreter wrote into the struct.
    public let version: PythonVersion
    /// Whether the interpreter is a free-threaded build (refused: other object headers).
    public let freeThreaded: Bool
    /// The values, keyed by their `flamelab_py_debug_index` field name.
    let values: [String: UInt64]

    /// Parses `bytes` (a copy of the interpreter's `_Py_DebugOffsets`) with the build-time `index`.
    /// Throws when the cookie is not "xdebugpy" (not a 3.13+ runtime, or the wrong address).
    init(bytes: [UInt8], index: flamelab_py_debug_index) throws {
        let size = Int(index.struct_size)
        guard bytes.count >= size, size >= 24 else {
            throw FlamelabError.failed("parse", "_Py_DebugOffsets", "\(bytes.count) bytes, the struct has \(size)")
        }
        let cookie = withUnsafeBytes(of: index.cookie) { Array($0) }
        guard Array(bytes.prefix(cookie.count)) == cookie else {
            let found = String(decoding: bytes.prefix(8).map { (32...126).contains($0) ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
            throw FlamelabError.failed("validate", "_Py_DebugOffsets", "cookie \"\(found)\" is not \"xdebugpy\"")
        }
        var values: [String: UInt64] = [:]
        for (name, position) in PythonDebugOffsets.positions(index) {
            guard Int(position) + 8 <= size else {
                throw FlamelabError.failed("parse", "_Py_DebugOffsets", "\(name) at byte \(position) is outside its \(size) bytes")
            }
            values[name] = PythonMemoryReader.load(UInt64.self, from: bytes, at: Int(position))
        }
        self.values = values
        version = PythonVersion(hex: UInt32(truncatingIfNeeded: values["version"] ?? 0))
        freeThreaded = (values["free_threaded"] ?? 0) != 0
    }

    /// Parses `bytes`, a copy of a CPython 3.`minor` interpreter's `_Py_DebugOffsets` (the first
    /// `structSize(minor:)` bytes of its `_PyRuntime`). Throws for a version without debug offsets, a
    /// short copy or a wrong cookie.
    public init(bytes: [UInt8], minor: Int) throws {
        guard let index = PythonDebugOffsets.index(minor: minor) else {
            throw FlamelabError.failed("parse", "_Py_DebugOffsets", "CPython 3.\(minor) has none flamelab knows")
        }
        try self.init(bytes: bytes, index: index)
    }

    /// sizeof(_Py_DebugOffsets) of CPython 3.`minor`, nil when it has none (before 3.13) or flamelab has no table.
    public static func structSize(minor: Int) -> Int? { index(minor: minor).map { Int($0.struct_size) } }

    /// The walker's offsets: the build-time table of this version's minor release with every field the
    /// debug offsets carry taken from them. Throws when a value is outside its struct.
    public func walkerOffsets() throws -> PythonWalkerOffsets {
        guard let base = PythonLayout.buildTime(minor: version.minor) else {
            throw FlamelabError.failed("apply", "_Py_DebugOffsets", "no build-time table for \(version)")
        }
        return try applied(to: base).walkerOffsets
    }

    /// Reads and parses the debug offsets of the interpreter whose `_PyRuntime` is at `runtime`.
    static func read(reader: PythonMemoryReader, runtime: UInt64, index: flamelab_py_debug_index) throws -> PythonDebugOffsets {
        try PythonDebugOffsets(bytes: reader.bytes(at: runtime, count: Int(index.struct_size)), index: index)
    }

    /// `base` (the build-time table of the same minor version) with every field the debug offsets carry
    /// replaced by the interpreter's own value. Throws when a value is out of its struct's bounds
    /// (garbage or a layout this code does not know), so a wrong table never reaches the walker.
    func applied(to base: PythonLayout) throws -> PythonLayout {
        var raw = base.raw
        let set = { (field: WritableKeyPath<flamelab_py_layout, UInt32>, name: String, within: String) throws in
            raw[keyPath: field] = try self.field(name, within: within)
        }
        try set(\.runtime_interpreters_head, "runtime_interpreters_head", "runtime_size")
        try set(\.interp_next, "interp_next", "interp_size")
        try set(\.interp_threads_head, "interp_threads_head", "interp_size")
        try set(\.tstate_next, "tstate_next", "tstate_size")
        try set(\.tstate_frame, "tstate_current_frame", "tstate_size")
        try set(\.tstate_native_thread_id, "tstate_native_thread_id", "tstate_size")
        try set(\.frame_code, "frame_executable", "frame_size")
        try set(\.frame_instr, "frame_instr_ptr", "frame_size")
        try set(\.frame_previous, "frame_previous", "frame_size")
        try set(\.frame_owner, "frame_owner", "frame_size")
        try set(\.code_firstlineno, "code_firstlineno", "code_size")
        try set(\.code_filename, "code_filename", "code_size")
        try set(\.code_name, "code_name", "code_size")
        try set(\.code_qualname, "code_qualname", "code_size")
        try set(\.code_linetable, "code_linetable", "code_size")
        try set(\.object_type, "object_type", "object_size")
        try set(\.var_size, "bytes_ob_size", "bytes_size")
        try set(\.str_length, "unicode_length", "unicode_size")
        try set(\.str_state, "unicode_state", "unicode_size")
        try set(\.str_ascii_data, "unicode_ascii_size", "unicode_size")
        // co_code_adaptive is the variable-size tail: it starts at the end of the fixed part.
        raw.code_code_adaptive = try field("code_code_adaptive", within: "code_size", inclusive: true)
        raw.bytes_data = try field("bytes_ob_sval", within: "bytes_size")
        // PyUnicodeObject is PyCompactUnicodeObject plus one data pointer, so both ends follow from its size.
        let unicodeSize = try field("unicode_size", within: "unicode_size", inclusive: true)
        guard unicodeSize >= 8 else { throw FlamelabError.failed("validate", "_Py_DebugOffsets", "unicode_object.size \(unicodeSize)") }
        raw.str_compact_data = unicodeSize - 8
        raw.str_legacy_data = unicodeSize - 8
        raw.version_hex = version.hex
        return PythonLayout(raw: raw)
    }

    /// The value called `name`, checked to lie inside the struct whose size is `within` (an 8-byte field:
    /// `offset + 8 <= size`; `inclusive`: `offset <= size`, for a trailing array or the size itself).
    private func field(_ name: String, within: String, inclusive: Bool = false) throws -> UInt32 {
        guard let value = values[name], let size = values[within] else {
            throw FlamelabError.failed("read", "_Py_DebugOffsets.\(name)", "not in the build-time index")
        }
        let end = inclusive ? value : value &+ 8
        guard size > 0, size < 1 << 24, end <= size else {
            throw FlamelabError.failed("validate", "_Py_DebugOffsets.\(name)", "\(value) is outside its struct (\(within) \(size))")
        }
        return UInt32(value)
    }

    /// Name and byte position of every value the index locates.
    private static func positions(_ index: flamelab_py_debug_index) -> [(String, UInt32)] {
        [("version", index.version), ("free_threaded", index.free_threaded),
         ("runtime_size", index.runtime_size), ("runtime_interpreters_head", index.runtime_interpreters_head),
         ("interp_size", index.interp_size), ("interp_next", index.interp_next), ("interp_threads_head", index.interp_threads_head),
         ("tstate_size", index.tstate_size), ("tstate_next", index.tstate_next),
         ("tstate_current_frame", index.tstate_current_frame), ("tstate_native_thread_id", index.tstate_native_thread_id),
         ("frame_size", index.frame_size), ("frame_previous", index.frame_previous), ("frame_executable", index.frame_executable),
         ("frame_instr_ptr", index.frame_instr_ptr), ("frame_owner", index.frame_owner),
         ("code_size", index.code_size), ("code_filename", index.code_filename), ("code_name", index.code_name),
         ("code_qualname", index.code_qualname), ("code_linetable", index.code_linetable),
         ("code_firstlineno", index.code_firstlineno), ("code_code_adaptive", index.code_code_adaptive),
         ("object_size", index.object_size), ("object_type", index.object_type),
         ("bytes_size", index.bytes_size), ("bytes_ob_size", index.bytes_ob_size), ("bytes_ob_sval", index.bytes_ob_sval),
         ("unicode_size", index.unicode_size), ("unicode_state", index.unicode_state),
         ("unicode_length", index.unicode_length), ("unicode_ascii_size", index.unicode_ascii_size)]
    }

    /// The build-time index of 3.`minor`'s `_Py_DebugOffsets`, nil when that version has none.
    static func index(minor: Int) -> flamelab_py_debug_index? {
        guard minor >= 0, minor <= 0xff else { return nil }
        var index = flamelab_py_debug_index()
        return flamelab_py_debug_index_get(UInt32(minor), &index) == 0 ? index : nil
    }
}
