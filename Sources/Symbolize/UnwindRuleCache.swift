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
    /// The last rule found per exact address, direct-mapped: a sample's return addresses repeat, and
    /// this answers them without the dictionary and the binary search.
    private var recent: [Recent]
    private static let recentSlots = 4096

    private struct Recent {
        var module = -1
        var address: UInt64 = 0
        var rule = celf_unwind_rule()
    }

    init(capacity: Int = 65_536) {
        self.capacity = capacity
        recent = [Recent](repeating: Recent(), count: Self.recentSlots)
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
    mutating func rule(module: ModuleID, address: UInt64) -> celf_unwind_rule? {
        let slot = Self.slot(module: module, address: address)
        if recent[slot].module == module, recent[slot].address == address { return recent[slot].rule }
        guard let list = entries[module] else { return nil }
        let index = Self.lastStart(atOrBelow: address, in: list)
        guard index >= 0, address < list[index].end else { return nil }
        recent[slot] = Recent(module: module, address: address, rule: list[index].rule)
        return list[index].rule
    }

    private static func slot(module: ModuleID, address: UInt64) -> Int {
        let mixed = (address ^ UInt64(truncatingIfNeeded: module) &* 0x9E37_79B9_7F4A_7C15) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: mixed >> 52) & (recentSlots - 1)
    }

    /// Caches `rule`, found for ELF address `address`, over [start, end); over `address` alone when
    /// that range would overlap a cached one (e.g. a .debug_frame row spanning an .eh_frame gap).
    mutating func insert(_ rule: celf_unwind_rule, module: ModuleID, address: UInt64, start: UInt64, end: UInt64) {
        if count >= capacity {
            entries.removeAll(keepingCapacity: true)
            count = 0
            // `recent` stays: a rule is a fact about a file's bytes, and module ids are never reused.
        }
        // Mutated in place: a copy of the list per insert made misses cost O(entries).
        entries[module, default: []].insertDisjoint(Entry(start: start, end: end, rule: rule), for: address)
        count += 1
    }

    /// Index of the last entry starting at or below `address`, -1 when none.
    fileprivate static func lastStart(atOrBelow address: UInt64, in list: [Entry]) -> Int {
        var lower = 0, upper = list.count
        while lower < upper {
            let middle = (lower + upper) / 2
            if list[middle].start <= address { lower = middle + 1 } else { upper = middle }
        }
        return lower - 1
    }
}

private extension Array where Element == UnwindRuleCache.Entry {
    /// Inserts `entry` (found for `address`) in order; over `address` alone when its range would
    /// overlap a neighbour or does not hold `address`.
    mutating func insertDisjoint(_ entry: Element, for address: UInt64) {
        let before = UnwindRuleCache.lastStart(atOrBelow: address, in: self)
        if before >= 0, address < self[before].end { return }
        let overlapsBefore = before >= 0 && self[before].end > entry.start
        let overlapsAfter = before + 1 < count && self[before + 1].start < entry.end
        let fits = !overlapsBefore && !overlapsAfter && entry.start <= address && address < entry.end
        insert(fits ? entry : Element(start: address, end: address + 1, rule: entry.rule), at: before + 1)
    }
}
