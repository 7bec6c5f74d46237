/// What the resolver read from one `PyCodeObject`, cached per (pid, code pointer, co_firstlineno).
struct PythonCodeInfo: Sendable {
    /// `co_qualname`, e.g. `Worker.run`.
    var qualifiedName: String
    /// `co_filename`, as the interpreter has it (often absolute).
    var fileName: String
    var firstLine: Int
    /// Decoded `co_linetable`; nil when it could not be read (the frame then gets `firstLine`).
    var lineTable: PythonLineTable?

    /// The basename of `fileName`, used as the frame's module.
    var moduleName: String {
        fileName.split(separator: "/").last.map(String.init) ?? fileName
    }
}
