import ProfileModel

/// Kernel text symbols from /proc/kallsyms, sorted for binary search.
/// Without root (kptr_restrict) every address reads as 0: `isAvailable` is then false.
public struct KernelSymbols: Sendable {
    private let starts: [UInt64]
    private let names: [String]
    /// `[kernel]` or `[module]` per symbol.
    private let modules: [String]

    public var count: Int { starts.count }
    /// Whether kallsyms gave real addresses (root, or kptr_restrict allows it).
    public var isAvailable: Bool { !starts.isEmpty }

    /// Reads /proc/kallsyms. Throws `failed to read /proc/kallsyms: <reason>`.
    public static func load(path: String = "/proc/kallsyms") throws -> KernelSymbols {
        try KernelSymbols(text: ProcFile.read(path))
    }

    /// Parses kallsyms text (`address type name [module]` per line), keeping text symbols.
    public init(text: String) {
        var entries: [(UInt64, String, String)] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 3, let address = UInt64(fields[0], radix: 16), address != 0 else { continue }
            guard let type = fields[1].first, "tTwW".contains(type) else { continue }
            let module = fields.count > 3 ? String(fields[3]) : "[kernel]"
            entries.append((address, String(fields[2]), module))
        }
        entries.sort { $0.0 < $1.0 }
        starts = entries.map { $0.0 }
        names = entries.map { $0.1 }
        modules = entries.map { $0.2 }
    }

    /// The frame for kernel address `address`: its symbol, or `[unknown]` of kind kernel.
    public func frame(for address: UInt64) -> Frame {
        guard let index = lastIndex(atOrBelow: address) else {
            return Frame(name: "[unknown]", module: "[kernel]", kind: .kernel)
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
