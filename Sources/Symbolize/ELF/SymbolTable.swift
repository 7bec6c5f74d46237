/// Code symbols of one ELF file sorted by address, for binary-search lookups.
/// Names stay mangled here; demangling happens once per looked-up address (see `SymbolNames`).
public struct SymbolTable: Sendable {
    /// Start addresses, ascending; one entry per distinct address.
    private let starts: [UInt64]
    /// Size per entry (0 = unknown size: the symbol extends to the next one).
    private let sizes: [UInt64]
    private let names: PackedNames

    /// One symbol as read from the file, its name a range of a byte buffer shared by all of them.
    struct Candidate {
        var value: UInt64
        var size: UInt64
        var type: UInt8
        var binding: UInt8
        var name: Range<Int>
    }

    public var count: Int { starts.count }

    public init(symbols: [ElfSymbol]) {
        var all = PackedNames()
        for symbol in symbols { all.append(symbol.name.utf8) }
        self = all.withBytes { buffer, range in
            SymbolTable(count: symbols.count, names: buffer) { index in
                let symbol = symbols[index]
                return Candidate(value: symbol.value, size: symbol.size, type: symbol.type, binding: symbol.binding, name: range(index))
            }
        }
    }

    /// Builds the table straight from the file's name bytes: no String is made for a symbol that is not kept.
    /// `candidate(i)` is the i-th symbol as read, or nil for one not wanted. The sort permutes 4-byte indices
    /// rather than the candidates themselves: for the ~90k symbols of a Swift service, copies of 40-byte
    /// candidates were most of the agent's peak memory while it read a process's modules.
    init(count: Int, names: UnsafeBufferPointer<UInt8>, candidate: (Int) -> Candidate?) {
        var kept: [Int32] = []
        var values: [UInt64] = []
        kept.reserveCapacity(count)
        values.reserveCapacity(count)
        for index in 0..<count {
            guard let symbol = candidate(index) else { continue }
            kept.append(Int32(index))
            values.append(symbol.value)
        }
        // Several symbols often share an address (aliases, .symtab and .dynsym copies): keep the best.
        var order = Array(0..<Int32(kept.count))
        order.sort { lhs, rhs in
            let lhsValue = values[Int(lhs)], rhsValue = values[Int(rhs)]
            guard lhsValue == rhsValue else { return lhsValue < rhsValue }
            return SymbolTable.isPreferred(candidate(Int(kept[Int(lhs)]))!, over: candidate(Int(kept[Int(rhs)]))!, names: names)
        }
        var distinct = 0
        var nameBytes = 0
        var previous: UInt64?
        for position in order where values[Int(position)] != previous {
            previous = values[Int(position)]
            distinct += 1
            nameBytes += candidate(Int(kept[Int(position)]))!.name.count
        }
        var starts: [UInt64] = []
        var sizes: [UInt64] = []
        var packed = PackedNames(reservingBytes: nameBytes, names: distinct)
        starts.reserveCapacity(distinct)
        sizes.reserveCapacity(distinct)
        for position in order where starts.last != values[Int(position)] {
            let symbol = candidate(Int(kept[Int(position)]))!
            starts.append(symbol.value)
            sizes.append(symbol.size)
            packed.append(UnsafeBufferPointer(rebasing: names[symbol.name]))
        }
        self.starts = starts
        self.sizes = sizes
        self.names = packed
    }

    /// The symbol covering virtual address `address` and the offset into it, or nil.
    public func lookup(_ address: UInt64) -> (name: String, offset: UInt64)? {
        guard let index = lastIndex(atOrBelow: address) else { return nil }
        if sizes[index] > 0 {
            let offset = address - starts[index]
            return offset < sizes[index] ? (names[index], offset) : nil
        }
        // A size-less label may sit inside a sized function: the function is the better answer.
        if let enclosing = enclosingSizedSymbol(of: address, below: index) {
            return (names[enclosing], address - starts[enclosing])
        }
        return (names[index], address - starts[index])
    }

    private func enclosingSizedSymbol(of address: UInt64, below index: Int) -> Int? {
        var candidate = index - 1
        while candidate >= 0, candidate >= index - 8 {
            if sizes[candidate] > 0, address - starts[candidate] < sizes[candidate] { return candidate }
            candidate -= 1
        }
        return nil
    }

    /// The address of the symbol called `name` (linear scan: for occasional look-ups, not per sample).
    public func address(named name: String) -> UInt64? {
        names.firstIndex(of: name).map { starts[$0] }
    }

    private func lastIndex(atOrBelow address: UInt64) -> Int? {
        var low = 0
        var high = starts.count
        while low < high {
            let middle = (low + high) / 2
            if starts[middle] <= address { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? nil : low - 1
    }

    /// Among aliases of one address: functions with a size beat size-less labels, exported (global or
    /// weak) names beat local ones, then the public-looking name wins (`clone3` over `__GI___clone3`).
    private static func isPreferred(_ lhs: Candidate, over rhs: Candidate, names: UnsafeBufferPointer<UInt8>) -> Bool {
        let lhsRank = rank(lhs)
        let rhsRank = rank(rhs)
        if lhsRank != rhsRank { return lhsRank > rhsRank }
        let lhsName = names[lhs.name], rhsName = names[rhs.name]
        let lhsUnderscores = lhsName.prefix { $0 == UInt8(ascii: "_") }.count
        let rhsUnderscores = rhsName.prefix { $0 == UInt8(ascii: "_") }.count
        if lhsUnderscores != rhsUnderscores { return lhsUnderscores < rhsUnderscores }
        if lhsName.count != rhsName.count { return lhsName.count < rhsName.count }
        return lhsName.lexicographicallyPrecedes(rhsName)
    }

    private static func rank(_ symbol: Candidate) -> Int {
        var rank = 0
        if symbol.size > 0 { rank += 4 }
        if symbol.type == ElfSymbol.functionType { rank += 2 }
        if symbol.binding == ElfSymbol.globalBinding || symbol.binding == ElfSymbol.weakBinding { rank += 1 }
        return rank
    }
}
