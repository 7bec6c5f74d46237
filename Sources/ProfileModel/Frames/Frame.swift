/// One stack frame, already symbolized. Frames are interned by `Profile`, so equality is by value.
public struct Frame: Hashable, Codable, Sendable {
    /// Function name as a person reads it: demangled Swift/C++, a C symbol, a Python qualname,
    /// or `[unknown]` / `module+0xOFFSET` when no symbol was found.
    public var name: String
    /// The object file or Python source file the frame belongs to (basename), empty when unknown.
    public var module: String
    /// What kind of code this is.
    public var kind: FrameKind
    /// Source file, when known (Python frames, DWARF line info).
    public var file: String?
    /// Source line, when known.
    public var line: Int?

    public init(name: String, module: String = "", kind: FrameKind = .unknown, file: String? = nil, line: Int? = nil) {
        self.name = name
        self.module = module
        self.kind = kind
        self.file = file
        self.line = line
    }

    /// The short name people read on flame-graph boxes and in report tables: native code through
    /// `FunctionName.display` (`Shop.Pricing.apply` for a specialised copy with its signature);
    /// Python, kernel and placeholder names as they are. `name` stays the frame's identity.
    public var displayName: String { FunctionName.display(name, kind: kind) }
}
