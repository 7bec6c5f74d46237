import ProfileModel
import CElfDwarf

/// What Symbolize reads from one ELF file: program headers, code and TLS symbols, GNU build-id.
/// Read once through libelf (CElfDwarf) and kept as plain Swift values, so the file may go away later.
public struct ElfImage: Sendable {
    public static let executableType = 2     // ET_EXEC
    public static let sharedObjectType = 3   // ET_DYN

    public let path: String
    public let elfType: Int
    public let segments: [ElfSegment]
    /// Code symbols (functions and labels), sorted by address.
    public private(set) var codeSymbols: SymbolTable
    /// TLS variables (value = offset in the TLS template).
    public let tlsSymbols: [ElfSymbol]
    /// GNU build-id as lowercase hex, empty when absent.
    public let buildID: String
    /// Whether the file still has its full `.symtab` (not only `.dynsym`), or it came from a debug file.
    public private(set) var hasFullSymbolTable: Bool
    /// The detached debug file whose `.symtab` was used (e.g. from libc6-dbg), if any.
    public private(set) var debugFilePath: String?

    /// Loads `path`. Throws `failed to read ELF <path>: <reason>` for a missing or corrupt file.
    /// With `symbols: false` only headers and build-id are read (cheap: enough for load biases).
    /// `name` stands for the file in errors and in `path` when `path` is not its name (/proc/self/fd/N).
    public static func load(path: String, symbols: Bool = true, name: String? = nil) throws -> ElfImage {
        var raw = celf_image()
        var errorBuffer = [CChar](repeating: 0, count: 256)
        let status = symbols
            ? celf_image_load(path, &raw, &errorBuffer, errorBuffer.count)
            : celf_image_load_segments(path, &raw, &errorBuffer, errorBuffer.count)
        guard status == 0 else {
            throw FlamelabError.failed("read", "ELF \(name ?? path)", String(cString: errorBuffer))
        }
        defer { celf_image_free(&raw) }
        return ElfImage(path: name ?? path, raw: raw)
    }

    /// Parses an ELF image held in memory (the vDSO); `name` stands for its path.
    public static func load(bytes: [UInt8], name: String) throws -> ElfImage {
        var raw = celf_image()
        var errorBuffer = [CChar](repeating: 0, count: 256)
        let status = bytes.withUnsafeBytes { buffer in
            celf_image_load_memory(buffer.baseAddress, buffer.count, &raw, &errorBuffer, errorBuffer.count)
        }
        guard status == 0 else {
            throw FlamelabError.failed("read", "ELF image \(name)", String(cString: errorBuffer))
        }
        defer { celf_image_free(&raw) }
        return ElfImage(path: name, raw: raw)
    }

    /// An image with only program headers, for tests of address arithmetic.
    init(segmentsForTesting segments: [ElfSegment]) {
        self.path = ""
        self.elfType = ElfImage.sharedObjectType
        self.segments = segments
        self.codeSymbols = SymbolTable(symbols: [])
        self.tlsSymbols = []
        self.buildID = ""
        self.hasFullSymbolTable = false
        self.debugFilePath = nil
    }

    private init(path: String, raw: celf_image) {
        self.path = path
        self.elfType = Int(raw.elf_type)
        self.segments = ElfImage.segments(of: raw)
        self.codeSymbols = ElfImage.codeSymbols(of: raw)
        self.tlsSymbols = ElfImage.tlsSymbols(of: raw)
        self.buildID = ElfImage.hex(of: raw)
        self.hasFullSymbolTable = raw.has_symtab != 0
        self.debugFilePath = nil
    }

    /// Loads `path` and, when it is stripped to `.dynsym`, the symbols of its detached debug file
    /// found by build-id under `debugRoot` (Debian's *-dbg packages install them there).
    public static func loadWithDebugSymbols(path: String, debugRoot: String = "/usr/lib/debug", name: String? = nil) throws -> ElfImage {
        var image = try load(path: path, name: name)
        guard !image.hasFullSymbolTable, image.buildID.count > 2 else { return image }
        let id = image.buildID
        let debugPath = "\(debugRoot)/.build-id/\(id.prefix(2))/\(id.dropFirst(2)).debug"
        guard ProcFile.exists(debugPath), let debug = try? load(path: debugPath),
              debug.buildID == id, debug.codeSymbols.count > image.codeSymbols.count else { return image }
        image.codeSymbols = debug.codeSymbols
        image.hasFullSymbolTable = true
        image.debugFilePath = debugPath
        return image
    }

    /// The load bias of a mapping of this file: runtime address minus ELF virtual address.
    /// `mappingStart`, `fileOffset` and `isExecutable` come from /proc/PID/maps.
    /// nil when no PT_LOAD covers the offset.
    public func loadBias(mappingStart: UInt64, fileOffset: UInt64, isExecutable: Bool? = nil, pageSize: UInt64 = 4096) -> UInt64? {
        guard let segment = loadSegment(forFileOffset: fileOffset, isExecutable: isExecutable, pageSize: pageSize) else {
            return nil
        }
        // Inside a segment, vaddr - file offset is constant: vaddr(mappingStart) = p_vaddr + (offset - p_offset).
        let vaddrAtStart = segment.vaddr &+ fileOffset &- segment.offset
        return mappingStart &- vaddrAtStart
    }

    /// The kernel maps each PT_LOAD from its page-aligned offset, so the segment starting on the
    /// mapping's page wins; segments sharing that page are told apart by the execute permission.
    /// A mapping split later (mprotect, RELRO) starts inside its segment: the latest-starting one.
    private func loadSegment(forFileOffset fileOffset: UInt64, isExecutable: Bool?, pageSize: UInt64) -> ElfSegment? {
        let candidates = segments.filter { $0.containsPageOf(fileOffset: fileOffset, pageSize: pageSize) }
        let pageStart: (ElfSegment) -> UInt64 = { $0.offset & ~(pageSize &- 1) }
        let exact = candidates.filter { pageStart($0) == fileOffset }
        if let isExecutable, let match = exact.first(where: { ($0.flags & ElfSegment.executableFlag != 0) == isExecutable }) {
            return match
        }
        if let first = exact.first { return first }
        return candidates.max { pageStart($0) < pageStart($1) }
    }

    /// The PT_TLS segment, if the file has thread-local storage.
    public var tlsSegment: ElfSegment? {
        segments.first { $0.type == ElfSegment.tlsType }
    }

    private static func segments(of raw: celf_image) -> [ElfSegment] {
        guard let base = raw.segments else { return [] }
        return UnsafeBufferPointer(start: base, count: raw.segment_count).map { segment in
            ElfSegment(type: segment.type, flags: segment.flags, offset: segment.offset, vaddr: segment.vaddr,
                       fileSize: segment.filesz, memorySize: segment.memsz, alignment: segment.align)
        }
    }

    /// The raw symbols with a name inside the name buffer, and that buffer.
    private static func withValidSymbols<Result>(of raw: celf_image, _ body: (UnsafeBufferPointer<celf_symbol>, UnsafeBufferPointer<UInt8>) -> Result) -> Result? {
        guard let base = raw.symbols, let names = raw.names else { return nil }
        let nameBytes = UnsafeRawPointer(names).assumingMemoryBound(to: UInt8.self)
        return body(UnsafeBufferPointer(start: base, count: raw.symbol_count), UnsafeBufferPointer(start: nameBytes, count: raw.names_size))
    }

    /// The bytes of `symbol`'s NUL-terminated name; nil when its offset is outside the buffer.
    private static func nameRange(of symbol: celf_symbol, in names: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        let start = Int(symbol.name_offset)
        guard start < names.count else { return nil }
        return start..<(names[start...].firstIndex(of: 0) ?? names.count)
    }

    private static func codeSymbols(of raw: celf_image) -> SymbolTable {
        withValidSymbols(of: raw) { symbols, names in
            SymbolTable(count: symbols.count, names: names) { index in
                let symbol = symbols[index]
                guard symbol.type != ElfSymbol.tlsType, let name = nameRange(of: symbol, in: names) else { return nil }
                return SymbolTable.Candidate(value: symbol.value, size: symbol.size, type: symbol.type, binding: symbol.binding, name: name)
            }
        } ?? SymbolTable(symbols: [])
    }

    private static func tlsSymbols(of raw: celf_image) -> [ElfSymbol] {
        withValidSymbols(of: raw) { symbols, names in
            symbols.compactMap { symbol -> ElfSymbol? in
                guard symbol.type == ElfSymbol.tlsType, let name = nameRange(of: symbol, in: names) else { return nil }
                return ElfSymbol(value: symbol.value, size: symbol.size, name: String(decoding: UnsafeBufferPointer(rebasing: names[name]), as: UTF8.self),
                                 type: symbol.type, binding: symbol.binding, fromDynamicTable: symbol.from_dynsym != 0)
            }
        } ?? []
    }

    private static func hex(of raw: celf_image) -> String {
        let count = min(raw.build_id_size, 64)
        return withUnsafeBytes(of: raw.build_id) { Hex.string($0.prefix(count)) }
    }
}
