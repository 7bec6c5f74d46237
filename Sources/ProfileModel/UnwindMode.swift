/// How user stacks are unwound.
public enum UnwindMode: String, Codable, Sendable, CaseIterable {
    /// Frame pointers, walked in BPF (cheapest; breaks in code built without them, e.g. libpython).
    case fp
    /// Registers and the top of the stack copied in BPF, unwound in user space with .eh_frame (libdw).
    case dwarf
    /// Both captured; per sample, DWARF is used when a frame of the frame-pointer walk is in a
    /// function whose unwind tables say it keeps no frame pointer there (glibc, libpython, any
    /// `gcc -O2` or `swiftc -O` build), else the FP stack. The default.
    case auto

    /// The mode used when none is asked for: right on any binary, with or without frame pointers.
    public static let standard = UnwindMode.auto

    /// Whether user registers and stack bytes are copied per sample (DWARF and auto).
    public var copiesUserStack: Bool { self != .fp }
}
