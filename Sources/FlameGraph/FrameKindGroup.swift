import ProfileModel

/// The five colour groups a reader tells apart in a flame graph.
public enum FrameKindGroup: String, Sendable, CaseIterable {
    /// The service's own Swift code.
    case app
    /// Swift runtime, Foundation, glibc, the interpreter's C code and other native libraries.
    case runtime
    /// Python functions.
    case python
    /// Kernel code.
    case kernel
    /// Frames no symbol source could name.
    case unknown

    /// The group a frame kind is drawn in.
    public init(_ kind: FrameKind) {
        switch kind {
        case .app, .swiftAsync: self = .app
        case .swiftRuntime, .libc, .interpreter, .native: self = .runtime
        case .python: self = .python
        case .kernel: self = .kernel
        case .unknown: self = .unknown
        }
    }

    /// The legend's label.
    public var label: String {
        switch self {
        case .app: return "service (Swift)"
        case .runtime: return "runtimes & libraries"
        case .python: return "Python"
        case .kernel: return "kernel"
        case .unknown: return "unknown"
        }
    }
}
