/// Whether the BPF side walks CPython 3.11-3.13 frame chains.
public enum PythonMode: String, Codable, Sendable, CaseIterable {
    /// Walk the frames of every target detected as CPython 3.11, 3.12 or 3.13; other versions get native frames only.
    case auto
    /// Never walk Python frames.
    case off
}
