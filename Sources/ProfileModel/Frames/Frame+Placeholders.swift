extension Frame {
    /// The name of a frame no symbol source could name: what perf and bpftrace print too.
    public static let unknownName = "[unknown]"
    /// The name of a Python frame whose code object could not be read.
    public static let unknownPythonName = "[unknown python]"

    /// A frame no symbol source could name, in `module` (empty when the address is in no mapping).
    public static func unknown(module: String = "", kind: FrameKind = .unknown) -> Frame {
        Frame(name: unknownName, module: module, kind: kind)
    }

    /// Whether this is one of the placeholders above.
    public var isPlaceholder: Bool { name == Frame.unknownName || name == Frame.unknownPythonName }

    /// Whether the frame carries a real name: not a placeholder, not empty, not a bare address
    /// (`0x...`) and not `module+0xOFFSET`.
    public var isNamed: Bool {
        !(name.isEmpty || isPlaceholder || name.hasPrefix("0x") || Frame.isAddressName(name))
    }

    /// `libpython3.11.so.1.0+0x1a2b3c`, `[vdso]+0x9a0`: a name made of a module and a hex offset.
    public static func isAddressName(_ name: String) -> Bool {
        guard let plus = name.lastIndex(of: "+") else { return false }
        let rest = name[name.index(after: plus)...]
        guard rest.hasPrefix("0x") else { return false }
        let digits = rest.dropFirst(2)
        return !digits.isEmpty && digits.allSatisfy(\.isHexDigit)
    }
}
