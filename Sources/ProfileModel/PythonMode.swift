/// Whether the BPF side walks CPython 3.11 frame chains.
public enum PythonMode: String, Codable, Sendable, CaseIterable {
    /// Walk the frames of every target detected as CPython 3.11; other versions get native frames only.
    case auto
    /// Never walk Python frames.
    case off
}
