/// One ELF program header, as far as address translation needs it.
public struct ElfSegment: Sendable, Equatable {
    public static let loadType: UInt32 = 1   // PT_LOAD
    public static let tlsType: UInt32 = 7    // PT_TLS
    public static let executableFlag: UInt32 = 1  // PF_X

    /// `p_type` (PT_LOAD, PT_TLS, ...).
    public var type: UInt32
    /// `p_flags` (PF_X, PF_W, PF_R).
    public var flags: UInt32
    /// `p_offset`: where the segment starts in the file.
    public var offset: UInt64
    /// `p_vaddr`: where it starts in the ELF virtual address space.
    public var vaddr: UInt64
    /// `p_filesz`.
    public var fileSize: UInt64
    /// `p_memsz`.
    public var memorySize: UInt64
    /// `p_align`.
    public var alignment: UInt64

    public init(type: UInt32, flags: UInt32, offset: UInt64, vaddr: UInt64, fileSize: UInt64, memorySize: UInt64, alignment: UInt64) {
        self.type = type
        self.flags = flags
        self.offset = offset
        self.vaddr = vaddr
        self.fileSize = fileSize
        self.memorySize = memorySize
        self.alignment = alignment
    }

    /// Whether file offset `fileOffset` (a mapping's offset, page aligned) falls in this loadable segment.
    func containsPageOf(fileOffset: UInt64, pageSize: UInt64) -> Bool {
        let pageStart = offset & ~(pageSize &- 1)
        return type == ElfSegment.loadType && fileOffset >= pageStart && fileOffset < offset &+ max(fileSize, 1)
    }
}
