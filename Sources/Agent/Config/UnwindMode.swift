/// How user stacks are unwound.
public enum UnwindMode: String, Sendable, CaseIterable {
    /// Frame pointers, walked in BPF (cheapest; breaks in code built without them, e.g. libpython).
    case fp
    /// Registers and the top of the stack copied in BPF, unwound in user space with .eh_frame (libdw).
    case dwarf
    /// Both captured; per sample, DWARF is used when the frame-pointer walk crosses a mapping
    /// without frame pointers (libpython, glibc, the loader) or ends early, else the FP stack.
    case auto

    /// Whether the BPF side must copy registers and stack.
    var copiesUserStack: Bool { self != .fp }
}
