import Foundation
import ProfileModel
import Symbolize

/// jemalloc's heap profile as its sampling profiler dumps it (`MALLOC_CONF=prof:true`, with
/// `prof_accum:true` for what was allocated, not only what is live), reduced to what the peer
/// comparison needs. The facts of the format (jemalloc 5, `heap_v2/<mean bytes between samples>`):
/// one record per stack, `@ <address> <address> ...` in hex, leaf first (jemalloc's own frames come
/// first, then the allocator's caller), followed by `  t*: <live objects>: <live bytes> [<allocated
/// objects>: <allocated bytes>]` for all threads and a `  t<N>:` line per thread; then
/// `MAPPED_LIBRARIES:` and the process's /proc/PID/maps at the dump.
///
/// The counts are of sampled allocations, in jemalloc's usable sizes (a request rounded up to its
/// size class). Each stack is scaled back as jeprof does: with the stack's mean size s = bytes /
/// objects, a sample stands for 1 / (1 - exp(-s/R)) allocations.
struct JemallocHeapProfile {
    /// One stack's estimated allocations since the start.
    struct Stack {
        /// Leaf first, as dumped.
        var addresses: [UInt64]
        var allocatedObjects: Double
        var allocatedBytes: Double
    }

    /// The mean bytes between samples (`lg_prof_sample`: 2^19 = 512 KiB by default).
    let rateBytes: UInt64
    let stacks: [Stack]
    /// The process's mappings when it dumped, to name the addresses after it has gone.
    let mappings: [MemoryMapping]

    /// Parses a dump; anything else is an error naming the line.
    init(text: String) throws {
        func malformed(_ what: String) -> FlamelabError { FlamelabError.failed("parse", "jemalloc heap profile", what) }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)[...]
        guard let header = lines.popFirst(), header.hasPrefix("heap_v2/"), let rate = UInt64(header.dropFirst("heap_v2/".count)), rate > 0 else {
            throw malformed("the first line is not heap_v2/<rate>: \(text.prefix(40))")
        }
        var stacks: [Stack] = []
        var current: [UInt64]?
        var mappings: [MemoryMapping] = []
        while let line = lines.popFirst() {
            if line == "MAPPED_LIBRARIES:" {
                mappings = lines.compactMap { MemoryMapping(line: $0) }
                break
            }
            if line.hasPrefix("@") {
                let words = line.split(separator: " ").dropFirst()
                let addresses = words.compactMap { UInt64($0.dropFirst(2), radix: 16) }
                guard addresses.count == words.count, !addresses.isEmpty else { throw malformed("a stack line is malformed: \(line.prefix(80))") }
                current = addresses
            } else if line.hasPrefix("  t*:"), let addresses = current {
                guard let counts = Self.allocatedCounts(line) else { throw malformed("a count line is malformed: \(line)") }
                stacks.append(Self.scaled(addresses, objects: counts.objects, bytes: counts.bytes, rate: Double(rate)))
                current = nil
            }
        }
        guard !mappings.isEmpty else { throw malformed("it has no MAPPED_LIBRARIES section: the dump was cut short") }
        rateBytes = rate
        self.stacks = stacks
        self.mappings = mappings
    }

    /// The bracketed allocated counts of a `t*:` line: `  t*: 3: 13332 [210: 330293]`.
    private static func allocatedCounts(_ line: Substring) -> (objects: Double, bytes: Double)? {
        guard let open = line.firstIndex(of: "["), let close = line.firstIndex(of: "]"), open < close else { return nil }
        let parts = line[line.index(after: open)..<close].split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let objects = Double(parts[0]), let bytes = Double(parts[1]) else { return nil }
        return (objects, bytes)
    }

    private static func scaled(_ addresses: [UInt64], objects: Double, bytes: Double, rate: Double) -> Stack {
        guard objects > 0, bytes > 0 else { return Stack(addresses: addresses, allocatedObjects: 0, allocatedBytes: 0) }
        let scale = 1 / -expm1(-(bytes / objects) / rate)
        return Stack(addresses: addresses, allocatedObjects: objects * scale, allocatedBytes: bytes * scale)
    }

    /// The stacks named from the dump's own maps (the files they name must still be there), leaf first.
    func symbolizedStacks(executable: String) -> [(frames: [Frame], stack: Stack)] {
        let symbolizer = Symbolizer()
        // A negative pid: no live process has it, so the symbolizer never reads maps for it.
        let pid: Int32 = -1
        // The maps name the executable by its real path: a path through a symlink (.build/release) would
        // not be recognised as the program's own code.
        let realPath = URL(fileURLWithPath: executable).resolvingSymlinksInPath().path
        symbolizer.adopt(ProcessMaps(pid: pid, mappings: mappings, executablePath: realPath))
        return stacks.map { (symbolizer.symbolizeUser(pid: pid, addresses: $0.addresses), $0) }
    }
}
