import CElfDwarf
import ProfileModel

/// An exported TLS variable of one ELF file and the GOT slots the dynamic linker fills for it
/// (see `celf_find_tls_export`): what a reader needs to find the variable in another process.
public struct TlsExport: Sendable, Equatable {
    /// True when the symbol is in .dynsym, where the OpenTelemetry spec requires it.
    public let isInDynamicSymbols: Bool
    /// `st_value`: the variable's offset in the file's TLS block.
    public let value: UInt64
    /// The PT_TLS segment, nil when the file has none.
    public let tlsSegment: ElfSegment?
    /// ELF virtual addresses of GOT slots for this variable (nil when absent): the TP offset
    /// (initial-exec), the TLS descriptor {resolver, argument}, the module id (general-dynamic).
    public let threadPointerOffsetSlot: UInt64?
    public let descriptorSlot: UInt64?
    public let moduleIDSlot: UInt64?

    /// The TLS variable `name` of the file at `path`, nil when the file defines none.
    /// Throws `failed to read ELF <path>: <reason>`.
    public static func find(_ name: String, in path: String) throws -> TlsExport? {
        var raw = celf_tls_export()
        var message = [CChar](repeating: 0, count: 256)
        guard celf_find_tls_export(path, name, &raw, &message, message.count) == 0 else {
            throw FlamelabError.failed("read", "ELF \(path)", String(cString: message))
        }
        guard raw.found == 1 else { return nil }
        let slot: (UInt64) -> UInt64? = { $0 == 0 ? nil : $0 }
        let segment = raw.has_tls == 1
            ? ElfSegment(type: ElfSegment.tlsType, flags: 0, offset: 0, vaddr: raw.tls_vaddr, fileSize: 0,
                         memorySize: raw.tls_memsz, alignment: raw.tls_align)
            : nil
        return TlsExport(isInDynamicSymbols: raw.in_dynsym == 1, value: raw.value, tlsSegment: segment,
                         threadPointerOffsetSlot: slot(raw.tpoff_slot), descriptorSlot: slot(raw.tlsdesc_slot),
                         moduleIDSlot: slot(raw.dtpmod_slot))
    }
}
