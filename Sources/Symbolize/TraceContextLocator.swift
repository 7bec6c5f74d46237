import ProfileModel

/// Finds where a process's OpenTelemetry thread-context pointer (`otel_thread_ctx_v1`, OTEP 4947)
/// lives, so BPF can read it from the sampled thread's pointer without a syscall.
///
/// The spec lets the variable be defined in the executable or in any shared library, with any TLS
/// access model but local-dynamic; each reduces to one of two locations (`TraceContextLocation`):
/// - the executable (local-exec or initial-exec): a fixed offset from the thread pointer, from the
///   PT_TLS segment alone;
/// - a library with an initial-exec GOT slot (R_X86_64_TPOFF64): the offset the loader wrote there;
/// - a library with a TLS descriptor (R_X86_64_TLSDESC): the descriptor's argument is the TP offset
///   when the library's TLS is static (glibc's `_dl_tlsdesc_return`), else a pointer to glibc's
///   `tlsdesc_dynamic_arg` { ti_module, ti_offset } (dlopen'ed library: read through the DTV);
/// - a library with general-dynamic GOT slots (R_X86_64_DTPMOD64): the module id the loader wrote,
///   and the symbol's value as the offset in the module's block (read through the DTV).
public enum TraceContextLocator {
    /// The TLS symbol of OpenTelemetry's thread context (see CTraceContext's otel_thread_ctx.h).
    public static let symbolName = "otel_thread_ctx_v1"

    /// Where `pid` keeps its thread-context pointer, or nil when none of its ELF files defines it.
    /// `export` finds the variable in one mapped file (the agent caches it per file); the default reads it.
    /// Throws `failed to locate otel_thread_ctx_v1 in <file> of pid <pid>: <reason>` when a file defines it
    /// but the process's loader data cannot be read or makes no sense.
    public static func locate(
        pid: Int32, maps: ProcessMaps,
        export: (MemoryMapping, String) throws -> TlsExport? = { try TlsExport.find(symbolName, in: $1) }
    ) throws -> TraceContextLocation? {
        var seen = Set<String>()
        let mapped = maps.mappings.filter { $0.isFileBacked && seen.insert($0.path).inserted }
        // The executable first: its definition wins symbol resolution over any library's.
        let files = mapped.filter { $0.path == maps.executablePath } + mapped.filter { $0.path != maps.executablePath }
        for mapping in files {
            let path = maps.openablePath(of: mapping)
            guard let found = try export(mapping, path) else { continue }
            do {
                return try location(of: found, in: mapping, isExecutable: mapping.path == maps.executablePath,
                                    maps: maps, memory: PythonMemoryReader(pid: pid))
            } catch let error as FlamelabError {
                throw FlamelabError.failed("locate", "\(symbolName) in \(mapping.path) of pid \(pid)", error.description)
            }
        }
        return nil
    }

    /// Reads `/proc/<pid>/maps` and locates the variable (no cache).
    public static func locate(pid: Int32) throws -> TraceContextLocation? {
        try locate(pid: pid, maps: try ProcessMaps.read(pid: pid))
    }

    private static func location(of found: TlsExport, in mapping: MemoryMapping, isExecutable: Bool,
                                 maps: ProcessMaps, memory: PythonMemoryReader) throws -> TraceContextLocation {
        guard let segment = found.tlsSegment else { throw FlamelabError("the file has no PT_TLS segment") }
        if isExecutable {
            return .threadPointer(offset: threadPointerOffset(symbolValue: found.value, tlsSegment: segment))
        }
        let bias = try loadBias(of: mapping, maps: maps)
        if let slot = found.threadPointerOffsetSlot {
            return .threadPointer(offset: try checkedThreadPointerOffset(try memory.word(at: bias &+ slot)))
        }
        if let slot = found.descriptorSlot {
            return try descriptorLocation(argument: try memory.word(at: bias &+ slot &+ 8), value: found.value, memory: memory)
        }
        if let slot = found.moduleIDSlot {
            let module = try memory.word(at: bias &+ slot)
            guard module >= 1, module < 1 << 20 else { throw FlamelabError("module id \(module) in the GOT is not one") }
            return .dynamicThreadVector(moduleID: module, offset: found.value)
        }
        throw FlamelabError("no TLS relocation for it (initial-exec, TLSDESC or general-dynamic): local-dynamic is not supported")
    }

    /// A TLS descriptor's argument: a negative TP offset (static TLS) or a pointer to glibc's
    /// { ti_module, ti_offset } (dynamic TLS), whose offset must be the symbol's value.
    private static func descriptorLocation(argument: UInt64, value: UInt64, memory: PythonMemoryReader) throws -> TraceContextLocation {
        if Int64(bitPattern: argument) < 0 { return .threadPointer(offset: try checkedThreadPointerOffset(argument)) }
        let module = try memory.word(at: argument)
        let offset = try memory.word(at: argument &+ 8)
        guard module >= 1, module < 1 << 20, offset == value else {
            throw FlamelabError("the TLS descriptor is not resolved yet or not glibc's (module \(module), offset \(offset), symbol value \(value))")
        }
        return .dynamicThreadVector(moduleID: module, offset: offset)
    }

    /// x86_64 static TLS lies below the thread pointer, within the static TLS area (well under 1 GiB).
    private static func checkedThreadPointerOffset(_ word: UInt64) throws -> Int64 {
        let offset = Int64(bitPattern: word)
        guard offset < 0, offset > -(1 << 30) else { throw FlamelabError("TP offset \(offset) is not below the thread pointer") }
        return offset
    }

    private static func loadBias(of mapping: MemoryMapping, maps: ProcessMaps) throws -> UInt64 {
        let image = try ElfImage.load(path: maps.openablePath(of: mapping), symbols: false)
        for candidate in maps.mappings where candidate.path == mapping.path {
            if let bias = image.loadBias(mappingStart: candidate.start, fileOffset: candidate.fileOffset) { return bias }
        }
        throw FlamelabError("no mapping of the file matches a PT_LOAD segment")
    }

    /// Offset from the thread pointer to the variable in the executable at `executablePath`, or nil
    /// when the executable has no such TLS symbol.
    /// Throws `failed to read ELF <path>: <reason>` when the file is not a readable ELF file.
    public static func threadPointerOffset(executablePath: String) throws -> Int64? {
        guard let found = try TlsExport.find(symbolName, in: executablePath), let segment = found.tlsSegment else { return nil }
        return threadPointerOffset(symbolValue: found.value, tlsSegment: segment)
    }

    /// The executable's variable: x86_64 uses TLS variant II, the executable's block is the first one
    /// below the thread pointer, at `tp - tlsOffset`, where glibc computes
    /// `tlsOffset = roundup(memsz - firstbyte, align) + firstbyte` with `firstbyte = (-p_vaddr) & (align - 1)`.
    /// The symbol's value is its offset in the block.
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
