import CElfDwarf

/// Compiled unwind rules (`celf_unwinder_rule_at`) per module file and ELF address range, shared by
/// every process mapping the same file (keyed by its GNU build id). One lookup covers the whole
/// range a CFI row holds for. Bounded: cleared when full. Not thread-safe (DwarfUnwinder's lock).
struct UnwindRuleCache {
    /// A module file: build ids are interned to small integers so a lookup hashes one Int.
    typealias ModuleID = Int

    /// A cached rule; `start`/`end` are ELF addresses (runtime address - the module's bias).
    struct Entry {
        let start: UInt64
        let end: UInt64
        let rule: celf_unwind_rule
    }

    private var buildIDs: [[UInt8]: ModuleID] = [:]
    private var nextID: ModuleID = 0
    /// Per module, entries sorted by start and never overlapping.
    private var entries: [ModuleID: [Entry]] = [:]
    private(set) var count = 0
    let capacity: Int

    init(capacity: Int = 65_536) {
        self.capacity = capacity
    }

    /// The id of the file with `buildID`; a file without one gets an id of its own (not shared).
    mutating func moduleID(buildID: [UInt8]?) -> ModuleID {
        if let buildID, let known = buildIDs[buildID] { return known }
        let id = nextID
        nextID += 1
        if let buildID { buildIDs[buildID] = id }
        return id
    }

    /// The cached rule covering ELF address `address` of `module`.
    func rule(module: ModuleID, address: UInt64) -> celf_unwind_rule? {
        guard let list = entries[module] else { return nil }
        let index = Self.lastStart(atOrBelow: address, in: list)
        guard index >= 0, address < list[index].end else { return nil }
        return list[index].rule
    }

    /// Caches `rule`, found for ELF address `address`, over [start, end); over `address` alone when
    /// that range would overlap a cached one (e.g. a .debug_frame row spanning an .eh_frame gap).
    mutating func insert(_ rule: celf_unwind_rule, module: ModuleID, address: UInt64, start: UInt64, end: UInt64) {
        if count >= capacity {
            entries.removeAll(keepingCapacity: true)
            count = 0
        }
        var list = entries[module] ?? []
        let before = Self.lastStart(atOrBelow: address, in: list)
        if before >= 0, address < list[before].end { return }
        var entry = Entry(start: start, end: end, rule: rule)
        let overlapsBefore = before >= 0 && list[before].end > start
        let overlapsAfter = before + 1 < list.count && list[before + 1].start < end
        if overlapsBefore || overlapsAfter || !(start <= address && address < end) {
            entry = Entry(start: address, end: address + 1, rule: rule)
        }
        list.insert(entry, at: before + 1)
        entries[module] = list
        count += 1
    }

    /// Index of the last entry starting at or below `address`, -1 when none.
    private static func lastStart(atOrBelow address: UInt64, in list: [Entry]) -> Int {
        var lower = 0, upper = list.count
        while lower < upper {
            let middle = (lower + upper) / 2
            if list[middle].start <= address { lower = middle + 1 } else { upper = middle }
        }
        return lower - 1
    }
}
