/// Where a frame's code comes from. Flame graphs colour by it and the symbolization report counts by it.
public enum FrameKind: String, Codable, Sendable, CaseIterable, Comparable {
    /// The profiled service's own (Swift) code.
    case app
    /// A Swift async caller recovered from the async context chain (not on the machine stack).
    case swiftAsync = "swift-async"
    /// The Swift runtime, Foundation, Dispatch, and Swift packages' code compiled into runtimes.
    case swiftRuntime = "swift-runtime"
    /// glibc and the dynamic loader.
    case libc
    /// libpython's C code (the interpreter itself).
    case interpreter
    /// A Python function recovered from the interpreter's frame chain.
    case python
    /// Other native libraries and executables.
    case native
    /// Kernel code.
    case kernel
    /// An address no symbol source could name.
    case unknown

    public static func < (lhs: FrameKind, rhs: FrameKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
