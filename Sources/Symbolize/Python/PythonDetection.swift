/// What `PythonProcessInfo.inspect(pid:)` found in a process.
public enum PythonDetection: Sendable {
    /// A CPython whose frames flamelab reads: register it with the BPF walker.
    case supported(PythonProcessInfo)
    /// A CPython of another version. `message` is what to tell the user (native frames only).
    case unsupported(version: String, message: String)
    /// No CPython interpreter (no `_PyRuntime`) in the process.
    case notPython
    /// The process could not be inspected (gone, no permission, unreadable files).
    case failed(String)

    /// The message to show once per process, nil when there is nothing to say.
    public var message: String? {
        switch self {
        case .supported, .notPython: return nil
        case .unsupported(_, let message): return message
        case .failed(let message): return message
        }
    }
}
