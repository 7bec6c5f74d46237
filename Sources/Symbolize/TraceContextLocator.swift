/// Finds where an executable's `flamelab_trace_context` TLS variable lives relative to the thread
/// pointer (x86_64 fsbase), so BPF can read it as `fsbase + offset` without a syscall.
public enum TraceContextLocator {
    /// The TLS symbol the service defines (see CTraceContext).
    public static let symbolName = "flamelab_trace_context"

    /// Offset from the thread pointer to the variable in the executable at `executablePath`, or nil
    /// when the executable has no such TLS symbol.
    ///
    /// x86_64 uses TLS variant II: the executable's block is the first one below the thread pointer,
    /// at `tp - tlsOffset`, where glibc computes `tlsOffset = roundup(memsz - firstbyte, align) + firstbyte`
    /// with `firstbyte = (-p_vaddr) & (align - 1)`. The symbol's value is its offset in the block.
    /// Throws `failed to read ELF <path>: <reason>` when the file is not a readable ELF file.
    public static func threadPointerOffset(executablePath: String) throws -> Int64? {
        let image = try ElfImage.load(path: executablePath)
        guard let symbol = image.tlsSymbols.first(where: { $0.name == symbolName }),
              let segment = image.tlsSegment else { return nil }
        return threadPointerOffset(symbolValue: symbol.value, tlsSegment: segment)
    }

    /// The arithmetic alone, for a symbol value and the PT_TLS segment.
    public static func threadPointerOffset(symbolValue: UInt64, tlsSegment segment: ElfSegment) -> Int64 {
        let alignment = max(segment.alignment, 1)
        let firstByte = (0 &- segment.vaddr) & (alignment - 1)
        let blockOffset = roundUp(segment.memorySize &- firstByte, to: alignment) &+ firstByte
        return Int64(bitPattern: symbolValue) &- Int64(bitPattern: blockOffset)
    }

    private static func roundUp(_ value: UInt64, to alignment: UInt64) -> UInt64 {
        (value &+ alignment &- 1) / alignment * alignment
    }
}
