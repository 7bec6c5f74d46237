/// A defined symbol read from `.symtab` or `.dynsym`.
public struct ElfSymbol: Sendable, Equatable {
    public static let functionType: UInt8 = 2  // STT_FUNC
    public static let tlsType: UInt8 = 6       // STT_TLS
    public static let globalBinding: UInt8 = 1 // STB_GLOBAL
    public static let weakBinding: UInt8 = 2   // STB_WEAK

    /// Virtual address; for TLS symbols the offset in the module's TLS template.
    public var value: UInt64
    /// `st_size`; 0 for many assembler labels.
    public var size: UInt64
    /// The raw (mangled) name.
    public var name: String
    /// `STT_*`.
    public var type: UInt8
    /// `STB_*`.
    public var binding: UInt8
    /// Read from `.dynsym` rather than `.symtab`.
    public var fromDynamicTable: Bool
}
