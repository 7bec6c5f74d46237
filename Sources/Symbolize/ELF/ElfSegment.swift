/// One ELF program header, as far as address translation needs it.
public struct ElfSegment: Sendable, Equatable {
    public static let loadType: UInt32 = 1   // PT_LOAD
    public static let tlsType: UInt32 = 7    // PT_TLS
    public static let executableFlag: UInt32 = 1  // PF_X

    public var type: UInt32
    public var flags: UInt32
    public var offset: UInt64
    public var vaddr: UInt64
    public var fileSize: UInt64
    public var memorySize: UInt64
    public var alignment: UInt64

    /// Whether file offset `fileOffset` (a mapping's offset, page aligned) falls in this loadable segment.
    func containsPageOf(fileOffset: UInt64, pageSize: UInt64) -> Bool {
        let pageStart = offset & ~(pageSize &- 1)
        return type == ElfSegment.loadType && fileOffset >= pageStart && fileOffset < offset &+ max(fileSize, 1)
    }
}
