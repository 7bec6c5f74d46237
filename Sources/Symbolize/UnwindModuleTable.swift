import CElfDwarf

/// One process's reported modules sorted by address, each with the id its file's unwind rules are
/// cached under: a lookup per frame without leaving Swift or allocating.
struct UnwindModuleTable {
    struct Module {
        let low: UInt64
        let high: UInt64
        /// Runtime address - ELF address: rules are cached by ELF address, the same in every process.
        let bias: UInt64
        let ruleKey: UnwindRuleCache.ModuleID
    }

    private(set) var modules: [Module] = []

    /// Reads the session's modules; `moduleID` names a file by its build id (nil: no build id).
    init(handle: OpaquePointer, moduleID: ([UInt8]?) -> UnwindRuleCache.ModuleID) {
        var ranges = [celf_module_range](repeating: celf_module_range(), count: 256)
        var count = celf_unwinder_modules(handle, &ranges, ranges.count)
        if count > ranges.count {
            ranges = [celf_module_range](repeating: celf_module_range(), count: count)
            count = min(celf_unwinder_modules(handle, &ranges, ranges.count), ranges.count)
        }
        modules = ranges.prefix(count).map { range in
            let buildID = withUnsafeBytes(of: range.build_id) { Array($0.prefix(range.build_id_size)) }
            return Module(low: range.low, high: range.high, bias: range.bias,
                          ruleKey: moduleID(buildID.isEmpty ? nil : buildID))
        }
        modules.sort { $0.low < $1.low }
    }

    /// The module whose [low, high) holds `address`.
    func module(containing address: UInt64) -> Module? {
        var lower = 0, upper = modules.count
        while lower < upper {
            let middle = (lower + upper) / 2
            if modules[middle].low <= address { lower = middle + 1 } else { upper = middle }
        }
        guard lower > 0 else { return nil }
        let candidate = modules[lower - 1]
        return address < candidate.high ? candidate : nil
    }
}
