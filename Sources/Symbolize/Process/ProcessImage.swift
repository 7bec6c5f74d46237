#if canImport(Glibc)
import Glibc
#endif
import ProfileModel

/// What the symbolizer keeps per process: a maps snapshot, each mapping's module and load bias,
/// and a per-address frame cache. It outlives the process, so late samples still get names.
final class ProcessImage {
    let pid: Int32
    private(set) var maps: ProcessMaps
    /// Per mapping start: the module and its load bias (nil bias: no PT_LOAD covers the mapping).
    private var modulesByMappingStart: [UInt64: (module: LoadedModule, bias: UInt64?)] = [:]
    /// Exact-address frame cache (addresses already adjusted for return addresses).
    var frames: [UInt64: Frame] = [:]
    private(set) var refreshedAt: Double

    init(maps: ProcessMaps) {
        self.pid = maps.pid
        self.maps = maps
        self.refreshedAt = ProcessImage.now()
    }

    /// Replaces the maps snapshot (after a dlopen, say). Returns false when the process is gone.
    func refresh() -> Bool {
        guard let fresh = try? ProcessMaps.read(pid: pid) else { return false }
        maps = fresh
        modulesByMappingStart = [:]
        frames = [:]
        refreshedAt = ProcessImage.now()
        return true
    }

    var secondsSinceRefresh: Double { ProcessImage.now() - refreshedAt }

    func module(for mapping: MemoryMapping, loader: (MemoryMapping, ProcessMaps) -> LoadedModule) -> (module: LoadedModule, bias: UInt64?) {
        if let known = modulesByMappingStart[mapping.start] { return known }
        let module = loader(mapping, maps)
        let bias = module.headers?.loadBias(mappingStart: mapping.start, fileOffset: mapping.fileOffset,
                                          isExecutable: mapping.isExecutable)
        modulesByMappingStart[mapping.start] = (module, bias)
        return (module, bias)
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
