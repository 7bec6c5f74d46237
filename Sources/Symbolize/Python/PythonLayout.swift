import CPythonProbe

/// Where the resolver finds things inside CPython objects: offsets and bit masks taken at compile time
/// from the installed CPython headers (CPythonProbe), the same headers the BPF walker's offsets come from.
struct PythonLayout: Sendable {
    let raw: flamelab_py_layout

    /// The layout of the interpreter whose headers flamelab was built against.
    static let installed: PythonLayout = {
        var raw = flamelab_py_layout()
        flamelab_py_layout_get(&raw)
        return PythonLayout(raw: raw)
    }()

    /// PY_VERSION_HEX of those headers: the only interpreter whose frames flamelab reads.
    var versionHex: UInt32 { raw.version_hex }
}
