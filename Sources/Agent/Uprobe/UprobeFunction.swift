import Foundation
import ProfileModel
import Symbolize

/// A function of a running process located for a uprobe: the binary, the symbol and its file offset.
///
/// The function is named as people read it (`TaxCalculator.roundToCents`): the executable's symbol
/// table is demangled and the one function whose short name ends with that text is chosen.
public struct UprobeFunction: Sendable, Codable, Equatable {
    /// The mapped file (the process's executable), as the kernel resolves it.
    public var binaryPath: String
    /// The linker symbol, e.g. `$s11ShopService13TaxCalculatorO12roundToCents_4rateS2d_SdtFZ`.
    public var mangledName: String
    /// The demangled full name.
    public var demangledName: String
    /// Virtual address in the ELF file.
    public var virtualAddress: UInt64
    /// Offset of the first instruction in the file: what the kernel's uprobe API takes.
    public var fileOffset: UInt64

    /// Finds `name` (a suffix of the simplified demangled name, e.g. `TaxCalculator.roundToCents`) in
    /// the executable of `pid`: the function and its specializations (the optimizer may emit a
    /// `function signature specialization` that the callers use instead), one entry per copy.
    /// Throws `failed to resolve ...` when nothing matches.
    public static func resolve(pid: Int32, name: String) throws -> [UprobeFunction] {
        let exe = "/proc/\(pid)/exe"
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: exe) else {
            throw FlamelabError("failed to resolve \(name) in pid \(pid): cannot read \(exe) (process gone or not permitted)")
        }
        // A replaced binary shows as "... (deleted)": the /proc link still reaches the mapped inode.
        let path = target.hasSuffix(" (deleted)") ? exe : target
        return try resolve(binaryPath: path, name: name)
    }

    /// Finds `name` in the ELF file at `binaryPath` (see `resolve(pid:name:)`).
    public static func resolve(binaryPath: String, name: String) throws -> [UprobeFunction] {
        let symbols = try ElfImage.functionSymbols(path: binaryPath)
        // Cheap raw filter first: the last name component appears verbatim in a Swift mangled name.
        let lastComponent = String(name.split(separator: ".").last ?? Substring(name))
        var seen = Set<UInt64>()
        // .symtab and .dynsym both list exported functions: one candidate per address.
        let unique = symbols.filter { seen.insert($0.value).inserted }
        let candidates = unique.filter { $0.name.contains(lastComponent) }.compactMap { symbol -> (ElfImage.FunctionSymbol, String)? in
            let full = SymbolNames.demangle(symbol.name)
            let short = FunctionName.simplify(full)
            // Closures and thunks are other functions; specializations are copies of this one.
            guard short.hasSuffix(name), !short.contains(" in "), !full.contains("thunk") else { return nil }
            return (symbol, full)
        }
        guard !candidates.isEmpty else {
            throw FlamelabError("failed to resolve \(name) in \(binaryPath): no function symbol matches (stripped binary?)")
        }
        let segments = try segments(path: binaryPath)
        return try candidates.map { symbol, full in
            guard let offset = fileOffset(of: symbol.value, segments: segments) else {
                throw FlamelabError("failed to resolve \(name) in \(binaryPath): address 0x\(String(symbol.value, radix: 16)) is in no loadable segment")
            }
            return UprobeFunction(binaryPath: binaryPath, mangledName: symbol.name, demangledName: full,
                                  virtualAddress: symbol.value, fileOffset: offset)
        }
    }

    /// The function whose linker symbol is exactly `symbol` in the ELF file at `binaryPath` (a C
    /// function of a shared library: `malloc` in libc.so.6); nil when the file defines no such function.
    public static func resolve(binaryPath: String, symbol: String) throws -> UprobeFunction? {
        // .dynsym and .symtab may both list it (and aliases share the address): the first is enough.
        guard let found = try ElfImage.functionSymbols(path: binaryPath).first(where: { $0.name == symbol && $0.value != 0 }) else { return nil }
        guard let offset = fileOffset(of: found.value, segments: try segments(path: binaryPath)) else {
            throw FlamelabError("failed to resolve \(symbol) in \(binaryPath): address 0x\(String(found.value, radix: 16)) is in no loadable segment")
        }
        return UprobeFunction(binaryPath: binaryPath, mangledName: symbol, demangledName: symbol,
                              virtualAddress: found.value, fileOffset: offset)
    }

    /// Inside a PT_LOAD segment, file offset - virtual address is constant.
    static func fileOffset(of address: UInt64, segments: [ElfSegment]) -> UInt64? {
        segments.first { $0.type == ElfSegment.loadType && address >= $0.vaddr && address < $0.vaddr &+ $0.fileSize }
            .map { address - $0.vaddr + $0.offset }
    }

    private static func segments(path: String) throws -> [ElfSegment] {
        try ElfImage.load(path: path, symbols: false).segments
    }
}
