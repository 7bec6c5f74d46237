import ProfileModel

/// Kernel text symbols from /proc/kallsyms, sorted for binary search.
/// Without root (kptr_restrict) every address reads as 0: `isAvailable` is then false.
///
/// Kept compact because every agent holds one for its whole life: ~120k names packed in file order,
/// addresses sorted with a 4-byte index into the names and a 2-byte index into the module names.
/// kallsyms is parsed as it is read, never held whole (it is ~8 MiB of text).
public struct KernelSymbols: Sendable {
    private let starts: [UInt64]
    /// `names[nameIndex[i]]` is the name of the symbol at `starts[i]`.
    private let nameIndex: [UInt32]
    private let names: PackedNames
    /// `moduleNames[moduleIndex[i]]` is `[kernel]` or `[module]` for the symbol at `starts[i]`.
    private let moduleIndex: [UInt16]
    private let moduleNames: [String]

    public var count: Int { starts.count }
    /// Whether kallsyms gave real addresses (root, or kptr_restrict allows it).
    public var isAvailable: Bool { !starts.isEmpty }

    /// Reads /proc/kallsyms. Throws `failed to read /proc/kallsyms: <reason>`.
    public static func load(path: String = "/proc/kallsyms") throws -> KernelSymbols {
        var builder = Builder()
        try ProcFile.forEachLineChunk(path) { builder.consume($0) }
        return KernelSymbols(builder)
    }

    /// Parses kallsyms text (`address type name [module]` per line), keeping text symbols.
    public init(text: String) {
        var builder = Builder()
        Array(text.utf8).withUnsafeBufferPointer { builder.consume($0) }
        self.init(builder)
    }

    private init(_ builder: Builder) {
        let order = (0..<builder.addresses.count).sorted { builder.addresses[$0] < builder.addresses[$1] }
        starts = order.map { builder.addresses[$0] }
        nameIndex = order.map { UInt32($0) }
        moduleIndex = order.map { builder.moduleIndex[$0] }
        names = builder.names
        moduleNames = builder.moduleNames
    }

    /// The symbols of kallsyms in file order, as lines arrive.
    private struct Builder {
        var addresses: [UInt64] = []
        var names = PackedNames()
        var moduleIndex: [UInt16] = []
        var moduleNames: [String] = []
        /// Lines come grouped by module: the last module's bytes spare a dictionary look-up per line.
        var lastModule: [UInt8] = []
        var lastModuleIndex: UInt16 = 0

        mutating func consume(_ buffer: UnsafeBufferPointer<UInt8>) {
            var cursor = 0
            while cursor < buffer.count {
                var lineEnd = cursor
                while lineEnd < buffer.count, buffer[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
                if let line = KernelSymbols.parseLine(buffer, from: cursor, to: lineEnd) {
                    addresses.append(line.address)
                    names.append(UnsafeBufferPointer(rebasing: buffer[line.name]))
                    moduleIndex.append(module(line.module.map { UnsafeBufferPointer(rebasing: buffer[$0]) }))
                }
                cursor = lineEnd + 1
            }
        }

        private mutating func module(_ bytes: UnsafeBufferPointer<UInt8>?) -> UInt16 {
            let kernel = Self.kernelModule
            // Compared in place: most lines repeat the previous line's module, and an array per line
            // was ~120k allocations per read of kallsyms.
            let same = bytes.map { $0.elementsEqual(lastModule) } ?? kernel.elementsEqual(lastModule)
            if same, !moduleNames.isEmpty { return lastModuleIndex }
            let name = bytes.map(Array.init) ?? kernel
            let text = String(decoding: name, as: UTF8.self)
            let index = moduleNames.firstIndex(of: text) ?? {
                moduleNames.append(text)
                return moduleNames.count - 1
            }()
            lastModule = name
            lastModuleIndex = UInt16(truncatingIfNeeded: min(index, Int(UInt16.max)))
            return lastModuleIndex
        }

        private static let kernelModule = Array("[kernel]".utf8)
    }

    private static func parseLine(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> (address: UInt64, name: Range<Int>, module: Range<Int>?)? {
        var fields: [Range<Int>] = []
        var index = start
        while index < end, fields.count < 4 {
            while index < end, buffer[index] == UInt8(ascii: " ") || buffer[index] == UInt8(ascii: "\t") { index += 1 }
            let fieldStart = index
            while index < end, buffer[index] != UInt8(ascii: " "), buffer[index] != UInt8(ascii: "\t") { index += 1 }
            if index > fieldStart { fields.append(fieldStart..<index) }
        }
        guard fields.count >= 3, fields[1].count == 1 else { return nil }
        let type = buffer[fields[1].lowerBound]
        guard [UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "w"), UInt8(ascii: "W")].contains(type) else { return nil }
        var address: UInt64 = 0
        for position in fields[0] {
            guard let digit = hexValue(buffer[position]) else { return nil }
            address = address << 4 | UInt64(digit)
        }
        guard address != 0 else { return nil }
        return (address, fields[2], fields.count > 3 ? fields[3] : nil)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The frame for kernel address `address`: its symbol, or `[unknown]` of kind kernel.
    public func frame(for address: UInt64) -> Frame {
        guard let index = lastIndex(atOrBelow: address) else {
            return Frame.unknown(module: "[kernel]", kind: .kernel)
        }
        return Frame(name: names[Int(nameIndex[index])], module: moduleNames[Int(moduleIndex[index])], kind: .kernel)
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
}
