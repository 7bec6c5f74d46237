import ProfileModel
import Symbolize

/// Keeps the sampled allocations and which of them are still live, on the draining thread; builds the
/// alloc and in-use profiles at the end, or at each window's cut in continuous mode (weighted back to
/// estimated totals, `AllocationWeight`).
final class MemoryRecorder {
    struct Allocation {
        var stack: Int
        let size: UInt64
        let pid: Int32
        let tid: Int32
        let timeNs: UInt64
        let allocator: AllocatorFunction?
        let traceID: TraceID?
        let spanID: SpanID?
    }

    private struct StackKey: Hashable {
        let pid: Int32
        /// Return addresses, the allocator's caller first.
        let user: [UInt64]
        /// CPython frames, leaf first.
        let python: [PythonRawFrame]
    }

    /// Names Python frames while the process is alive; nil without the Python walker.
    private let pythonResolver: PythonFrameResolver?
    /// Named Python frames (leaf first, with their eval-loop group) per stack with any.
    private var pythonFrames: [Int: [(frame: Frame, group: Int)]] = [:]
    private var merger = PythonStackMerger()

    init(pythonResolver: PythonFrameResolver? = nil) {
        self.pythonResolver = pythonResolver
    }

    private var stacks: [StackKey] = []
    private var stackIndex: [StackKey: Int] = [:]
    private(set) var allocations: [Allocation] = []
    /// Tracked allocations not freed yet: pid -> address -> index into `allocations`.
    private var live: [Int32: [UInt64: Int]] = [:]
    private(set) var counts = MemoryRunStats()
    /// Where the open window's allocations start in `allocations` (0 in a single recording).
    private var windowStart = 0

    func record(_ bytes: UnsafeRawBufferPointer) {
        switch MemoryEvent.decode(bytes) {
        case .alloc(let pid, let tid, let allocator, let timeNs, let size, let address, let tracked, let userStack, let traceID, let spanID, let python):
            let key = StackKey(pid: pid, user: userStack, python: python)
            let stack = stackIndex[key] ?? intern(key)
            allocations.append(Allocation(stack: stack, size: size, pid: pid, tid: tid, timeNs: timeNs, allocator: allocator,
                                          traceID: traceID, spanID: spanID))
            counts.sampledAllocations += 1
            if traceID != nil { counts.samplesWithTraceContext += 1 }
            if tracked {
                live[pid, default: [:]][address] = allocations.count - 1
            } else if address != 0 {
                counts.untrackedAllocations += 1
            }
        case .free(let pid, let address):
            counts.trackedFrees += 1
            live[pid]?[address] = nil
        case nil:
            counts.undecodableEvents += 1
        }
    }

    private func intern(_ key: StackKey) -> Int {
        stacks.append(key)
        stackIndex[key] = stacks.count - 1
        // Python names are read from the live process: now, not when the profile is built.
        if let pythonResolver, !key.python.isEmpty {
            pythonFrames[stacks.count - 1] = pythonResolver.resolveGrouped(pid: key.pid, frames: key.python)
            counts.stacksWithPythonFrames += 1
        }
        return stacks.count - 1
    }

    /// Allocations sampled and still live (in-use), in sampling order.
    var liveAllocations: [Allocation] {
        live.values.flatMap(\.values).sorted().map { allocations[$0] }
    }

    /// Continuous mode, once a window's profiles are built: the next window starts with no allocation,
    /// and only what later in-use snapshots need is kept (the live allocations and their stacks), so the
    /// recorder's memory follows the live heap, not the run's length.
    func startNextWindow() {
        var stackMap: [Int: Int] = [:]
        var keptStacks: [StackKey] = []
        var keptPython: [Int: [(frame: Frame, group: Int)]] = [:]
        var kept: [Allocation] = []
        var newPosition: [Int: Int] = [:]
        for index in live.values.flatMap(\.values).sorted() {
            var allocation = allocations[index]
            if let known = stackMap[allocation.stack] {
                allocation.stack = known
            } else {
                keptStacks.append(stacks[allocation.stack])
                keptPython[keptStacks.count - 1] = pythonFrames[allocation.stack]
                stackMap[allocation.stack] = keptStacks.count - 1
                allocation.stack = keptStacks.count - 1
            }
            newPosition[index] = kept.count
            kept.append(allocation)
        }
        live = live.mapValues { addresses in addresses.compactMapValues { newPosition[$0] } }
        allocations = kept
        windowStart = kept.count
        stacks = keptStacks
        pythonFrames = keptPython
        stackIndex = Dictionary(uniqueKeysWithValues: keptStacks.enumerated().map { ($1, $0) })
    }

    /// Forgets the live allocations of `pids` (processes gone: the kernel took their memory back
    /// without a `free`) and returns their addresses, per pid, for the BPF live map to forget too.
    func forget(pids: Set<Int32>) -> [Int32: [UInt64]] {
        var addresses: [Int32: [UInt64]] = [:]
        for pid in pids {
            if let gone = live.removeValue(forKey: pid) { addresses[pid] = Array(gone.keys) }
        }
        return addresses
    }

    /// The profile of `kind` (`.alloc`: every allocation sampled in the window, or the run; `.inuse`: those not freed), one
    /// sample per sampled allocation with its weighted bytes and objects. `libcPaths` names the
    /// allocator's module per pid.
    func build(kind: ProfileKind, rateBytes: UInt64, symbolizer: StackSymbolizing, libcPaths: [Int32: String],
               metadata: ProfileMetadata) -> Profile {
        var profile = Profile(metadata: metadata)
        var frames: [Int: [Frame]] = [:]
        var interned: [[Int32]: Int] = [:]
        var rounding: [Int: (bytes: RoundingCarry, objects: RoundingCarry)] = [:]
        for allocation in kind == .inuse ? liveAllocations : Array(allocations[windowStart...]) {
            let stackFrames = frames[allocation.stack] ?? rootFirstFrames(allocation, symbolizer: symbolizer, libc: libcPaths[allocation.pid])
            frames[allocation.stack] = stackFrames
            let ids = stackFrames.map { profile.intern($0) }
            let id = interned[ids] ?? profile.intern(stack: ids)
            interned[ids] = id
            // Weights are fractional (a 256 KiB sample stands for 2.54 allocations): rounding each would
            // bias the totals (by +18% there), so each stack carries its rounding remainder along.
            let weight = AllocationWeight(size: allocation.size, rateBytes: rateBytes)
            var carry = rounding[id] ?? (RoundingCarry(), RoundingCarry())
            let bytes = carry.bytes.add(weight.bytes), objects = carry.objects.add(weight.objects)
            rounding[id] = carry
            profile.add(stackID: id, value: bytes, objects: objects,
                        labels: SampleLabels(traceID: allocation.traceID, spanID: allocation.spanID, pid: allocation.pid,
                                             tid: allocation.tid, timestampNs: allocation.timeNs))
        }
        return profile
    }

    /// Root first: the user frames, then the allocator itself as the leaf.
    private func rootFirstFrames(_ allocation: Allocation, symbolizer: StackSymbolizing, libc: String?) -> [Frame] {
        let key = stacks[allocation.stack]
        // The symbolizer names index 0 at its exact address and the others at address - 1 (inside the
        // call); here every address is a return address, so the first is moved into its call too.
        var addresses = key.user
        if let first = addresses.first, first > 0 { addresses[0] = first - 1 }
        var user = addresses.isEmpty ? [] : symbolizer.symbolizeUser(pid: key.pid, addresses: addresses)
        if let python = pythonFrames[allocation.stack], !python.isEmpty { user = merger.merge(native: user, python: python) }
        let leaf = Frame(name: allocation.allocator?.rawValue ?? "allocator", module: libc ?? "", kind: .libc)
        return Array(user.reversed()) + [leaf]
    }
}
