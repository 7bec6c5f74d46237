import ProfileModel
import CElfDwarf

extension ElfImage {
    /// One defined function symbol: its address in the file and its linker name.
    public struct FunctionSymbol: Sendable, Equatable {
        public var value: UInt64
        public var name: String
    }

    /// Every defined function symbol of the file at `path`, from `.symtab` and `.dynsym` (aliases and
    /// duplicates included, unlike `codeSymbols`, which keeps one name per address): what a uprobe
    /// needs to find every copy of a function. Throws `failed to read ELF ...`.
    public static func functionSymbols(path: String) throws -> [FunctionSymbol] {
        var raw = celf_image()
        var errorBuffer = [CChar](repeating: 0, count: 256)
        guard celf_image_load(path, &raw, &errorBuffer, errorBuffer.count) == 0 else {
            throw FlamelabError.failed("read", "ELF \(path)", String(cString: errorBuffer))
        }
        defer { celf_image_free(&raw) }
        guard let base = raw.symbols, let names = raw.names else { return [] }
        return UnsafeBufferPointer(start: base, count: raw.symbol_count).compactMap { symbol in
            guard symbol.type == ElfSymbol.functionType, symbol.value != 0, Int(symbol.name_offset) < raw.names_size else { return nil }
            return FunctionSymbol(value: symbol.value, name: String(cString: names + Int(symbol.name_offset)))
        }
    }
}
