/// What the resolver read from one `PyCodeObject`, cached per (pid, code pointer, co_firstlineno).
struct PythonCodeInfo: Sendable {
    /// `co_qualname`, e.g. `Worker.run`.
    var qualifiedName: String
    /// `co_filename`, as the interpreter has it (often absolute).
    var fileName: String
    var firstLine: Int
    /// Decoded `co_linetable`; nil when it could not be read (the frame then gets `firstLine`).
    var lineTable: PythonLineTable?

    /// 3.13's static `_Py_InitCleanup` code object: qualname and filename `__init__`, first line 0
    /// (docs/research/cpython-312-313.md §3.4). No real function has line 0.
    var isInitCleanupShim: Bool {
        firstLine == 0 && qualifiedName == "__init__" && fileName == "__init__"
    }

    /// The basename of `fileName`, used as the frame's module.
    var moduleName: String {
        fileName.split(separator: "/").last.map(String.init) ?? fileName
    }
}
