import CBPF

/// The libc functions the memory profiles probe, with their BPF programs and the leaf frame named
/// for their allocations (`flamelab_mem_allocator` in bpf/memory.h).
enum AllocatorFunction: String, CaseIterable {
    case malloc
    case calloc
    case realloc
    case posixMemalign = "posix_memalign"
    case alignedAlloc = "aligned_alloc"
    case free

    /// The entry program (bpf/memory.bpf.c).
    var entryProgram: String { "flamelab_mem_" + rawValue }

    /// The uprobe-session program (entry and return in one; in-use on kernels that have sessions).
    var sessionProgram: String { entryProgram + "_session" }

    /// Whether in-use runs attach the return program (the address is the result); free has none.
    var hasReturnProbe: Bool { self != .free }

    /// Whether alloc-only runs probe it (free matters only to in-use).
    var neededForAllocOnly: Bool { self != .free }

    /// The allocator id an event carries.
    var allocatorID: UInt32? {
        switch self {
        case .malloc: return FLAMELAB_MEM_MALLOC.rawValue
        case .calloc: return FLAMELAB_MEM_CALLOC.rawValue
        case .realloc: return FLAMELAB_MEM_REALLOC.rawValue
        case .posixMemalign: return FLAMELAB_MEM_POSIX_MEMALIGN.rawValue
        case .alignedAlloc: return FLAMELAB_MEM_ALIGNED_ALLOC.rawValue
        case .free: return nil
        }
    }

    /// The function an event's allocator id names.
    init?(allocatorID: UInt32) {
        guard let found = Self.allCases.first(where: { $0.allocatorID == allocatorID }) else { return nil }
        self = found
    }

    /// The return program shared by the allocators.
    static let returnProgram = "flamelab_mem_alloc_return"
}
