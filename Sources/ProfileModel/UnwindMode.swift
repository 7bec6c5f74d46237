/// How user stacks are unwound.
public enum UnwindMode: String, Codable, Sendable, CaseIterable {
    /// Frame pointers, walked in BPF (cheapest; breaks in code built without them, e.g. libpython).
    case fp
    /// Registers and the top of the stack copied in BPF, unwound in user space with .eh_frame (libdw).
    case dwarf
    /// Both captured; per sample, DWARF is used when the frame-pointer walk crosses a mapping
    /// without frame pointers (libpython, glibc, the loader) or ends early, else the FP stack.
    case auto

    /// Whether user registers and stack bytes are copied per sample (DWARF and auto).
    public var copiesUserStack: Bool { self != .fp }
}
