import ProfileModel

/// Kernel text symbols from /proc/kallsyms, sorted for binary search.
/// Without root (kptr_restrict) every address reads as 0: `isAvailable` is then false.
public struct KernelSymbols: Sendable {
    private let starts: [UInt64]
    private let names: PackedNames
    /// `[kernel]` or `[module]` per symbol.
    private let modules: [String]

    public var count: Int { starts.count }
    /// Whether kallsyms gave real addresses (root, or kptr_restrict allows it).
    public var isAvailable: Bool { !starts.isEmpty }

    /// Reads /proc/kallsyms. Throws `failed to read /proc/kallsyms: <reason>`.
    public static func load(path: String = "/proc/kallsyms") throws -> KernelSymbols {
        try KernelSymbols(bytes: ProcFile.readBytes(path))
    }

    /// Parses kallsyms text (`address type name [module]` per line), keeping text symbols.
    public init(text: String) {
        self.init(bytes: Array(text.utf8))
    }

    /// Byte-level parse: kallsyms has ~200k lines, splitting it into Strings first is slow.
    init(bytes: [UInt8]) {
        var entries: [(address: UInt64, name: Range<Int>, module: String)] = []
        var packed = PackedNames()
        bytes.withUnsafeBufferPointer { buffer in
            var cursor = 0
            while cursor < buffer.count {
                var lineEnd = cursor
                while lineEnd < buffer.count, buffer[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
                if let entry = KernelSymbols.parseLine(buffer, from: cursor, to: lineEnd) { entries.append(entry) }
                cursor = lineEnd + 1
            }
            entries.sort { $0.address < $1.address }
            for entry in entries { packed.append(UnsafeBufferPointer(rebasing: buffer[entry.name])) }
        }
        starts = entries.map(\.address)
        names = packed
        modules = entries.map(\.module)
    }

    private static func parseLine(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> (address: UInt64, name: Range<Int>, module: String)? {
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
        let module = fields.count > 3 ? String(decoding: UnsafeBufferPointer(rebasing: buffer[fields[3]]), as: UTF8.self) : "[kernel]"
        return (address, fields[2], module)
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
        return Frame(name: names[index], module: modules[index], kind: .kernel)
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
