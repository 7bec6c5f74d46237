import Foundation
import ProfileModel

/// Turns raw user and kernel addresses into named, classified frames.
///
/// Sources: /proc/PID/maps (snapshotted per process), ELF `.symtab` + `.dynsym` (libelf), the Swift
/// runtime's demangler, `__cxa_demangle`, /proc/kallsyms. Everything is cached: maps per pid, ELF
/// symbol tables per (device, inode, path), frames per address. A process keeps its snapshot after
/// it exits, so samples drained late still get the names captured while it was alive.
///
/// Address convention: stacks are leaf first; `addresses[0]` is the exact PC, the others are return
/// addresses, looked up at `address - 1` so a call at the very end of a function stays in it.
/// Thread-safe (one lock).
/// `@unchecked Sendable`: its caches and counters are behind one lock.
public final class Symbolizer: @unchecked Sendable {
    /// Counters that make degraded symbolization visible instead of silent.
    public struct Statistics: Sendable, Equatable {
        public var userFrames = 0
        public var kernelFrames = 0
        /// Frames with no mapping (or for a process never seen alive): `[unknown]`.
        public var unknownFrames = 0
        /// Distinct addresses inside a known file but outside any symbol: `module+0xOFFSET`.
        public var unnamedAddresses = 0
        /// Processes whose maps could not be read (nonexistent pid, exited before first use).
        public var unavailableProcesses = 0
        /// ELF files that could not be read (missing, corrupt).
        public var unreadableModules = 0
    }

    private let lock = NSLock()
    private let nameStyle: SymbolNames.Style
    private var processes: [Int32: ProcessImage] = [:]
    private var processErrors: [Int32: FlamelabError] = [:]
    private var modules: [LoadedModule.Key: LoadedModule] = [:]
    /// Module ids are never reused: `moduleFrames` is keyed by them.
    private var lastModuleID = 0
    private var moduleFrames: [ModuleAddress: Frame] = [:]
    private var virtualDSO: VirtualDSO?
    private var virtualDSOLoaded = false
    private var kernelSymbols: KernelSymbols?
    private var kernelError: FlamelabError?
    private var counters = Statistics()
    /// A process's maps are re-read for an unmapped address at most this often (dlopen'ed code).
    private let mapsRefreshInterval = 1.0

    private struct ModuleAddress: Hashable {
        let module: Int
        let address: UInt64
        /// The same file is `app` in its own process and `native` elsewhere.
        let isApp: Bool
    }

    /// A symbolizer producing full demangled Swift names (`Deep.a(Swift.Double) -> Swift.UInt64`).
    public convenience init() {
        self.init(nameStyle: .full)
    }

    /// A symbolizer producing names in `nameStyle` (`.simplified` gives `Deep.a`).
    public init(nameStyle: SymbolNames.Style) {
        self.nameStyle = nameStyle
    }

    /// Snapshots the maps of `pid` and reads every executable mapping's ELF file now, while the
    /// process is alive. Later calls for the same pid reuse the snapshot.
    public func prepare(pid: Int32) {
        lock.lock()
        defer { lock.unlock() }
        guard let process = processImage(pid: pid) else { return }
        for mapping in process.maps.mappings where mapping.isFileBacked && mapping.isExecutable {
            _ = process.module(for: mapping, loader: loadModule)
        }
    }

    /// Makes a process known by a maps snapshot taken elsewhere (a peer profiler's dump written as the
    /// process exited), under `maps.pid`: give it a negative pid, which no live process has, so that no
    /// maps are ever read for it. `symbolizeUser(pid:addresses:)` then names its addresses from the
    /// files its maps name.
    public func adopt(_ maps: ProcessMaps) {
        lock.lock()
        defer { lock.unlock() }
        processes[maps.pid] = ProcessImage(maps: maps)
    }

    /// Leaf-first addresses in, leaf-first frames out (same count).
    public func symbolizeUser(pid: Int32, addresses: [UInt64]) -> [Frame] {
        lock.lock()
        defer { lock.unlock() }
        counters.userFrames += addresses.count
        // No cache of whole stacks here: the caller symbolizes each distinct stack once per window
        // (ProfileBuilder). One kept 200 000 raw stacks, about 1 KiB each, and was what grew the
        // continuous agent's heap by some 3 MiB per 10 minutes: a live service keeps producing
        // return-address stacks it has not produced before.
        guard let process = processImage(pid: pid) else {
            counters.unknownFrames += addresses.count
            return addresses.map { _ in Frame.unknown() }
        }
        let frames = addresses.enumerated().map { index, address in
            let frame = userFrame(process: process, address: index == 0 || address == 0 ? address : address - 1)
            if frame.kind == .unknown { counters.unknownFrames += 1 }
            return frame
        }
        return frames
    }

    /// Kernel addresses (leaf first) to frames via /proc/kallsyms (read once, then cached).
    public func symbolizeKernel(addresses: [UInt64]) -> [Frame] {
        lock.lock()
        defer { lock.unlock() }
        counters.kernelFrames += addresses.count
        let symbols = loadedKernelSymbols()
        return addresses.enumerated().map { index, address in
            let lookup = index == 0 || address == 0 ? address : address - 1
            let frame = symbols?.frame(for: lookup) ?? Frame.unknown(module: "[kernel]", kind: .kernel)
            if frame.name == Frame.unknownName { counters.unknownFrames += 1 }
            return frame
        }
    }

    /// Counters since creation.
    public var statistics: Statistics {
        lock.lock()
        defer { lock.unlock() }
        return counters
    }

    /// Why `pid` could not be symbolized, if it could not (e.g. `failed to read /proc/42/maps: ...`).
    public func error(pid: Int32) -> FlamelabError? {
        lock.lock()
        defer { lock.unlock() }
        return processErrors[pid]
    }

    /// Reads /proc/kallsyms now (about 0.3 s) rather than when the first profile is built, where the
    /// time would fall between an alert and the named function.
    public func prepareKernel() {
        lock.lock()
        defer { lock.unlock() }
        _ = loadedKernelSymbols()
    }

    /// Why kernel symbols are unavailable, if they are (not root, kptr_restrict).
    public var kernelSymbolsError: FlamelabError? {
        lock.lock()
        defer { lock.unlock() }
        _ = loadedKernelSymbols()
        return kernelError
    }

    /// Drops what is kept for `pid` (call when a run is over and the pid may be reused).
    public func forget(pid: Int32) {
        forget(pids: [pid])
    }

    /// Drops what is kept for `pids` at once: one pass over the modules, however many exited.
    public func forget(pids: Set<Int32>) {
        guard !pids.isEmpty else { return }
        lock.lock()
        defer { lock.unlock() }
        for pid in pids {
            processes[pid] = nil
            processErrors[pid] = nil
        }
        forgetUnmappedModules()
    }

    /// Drops the ELF files no remembered process maps any more, and their frames: a long-lived agent
    /// sees binaries come and go (every deploy of a rebuilt service is a new file).
    private func forgetUnmappedModules() {
        var mapped = Set<LoadedModule.Key>()
        for image in processes.values {
            for mapping in image.maps.mappings where mapping.isFileBacked {
                mapped.insert(LoadedModule.Key(device: mapping.device, inode: mapping.inode, path: mapping.path))
            }
        }
        let unmapped = modules.filter { !mapped.contains($0.key) }
        guard !unmapped.isEmpty else { return }
        let ids = Set(unmapped.values.map(\.id))
        for key in unmapped.keys { modules[key] = nil }
        moduleFrames = moduleFrames.filter { !ids.contains($0.key.module) }
    }

    // MARK: - internals (called with the lock held)

    private func processImage(pid: Int32) -> ProcessImage? {
        if let known = processes[pid] { return known }
        if processErrors[pid] != nil { return nil }
        do {
            let image = ProcessImage(maps: try ProcessMaps.read(pid: pid))
            processes[pid] = image
            return image
        } catch let error as FlamelabError {
            processErrors[pid] = error
        } catch {
            processErrors[pid] = FlamelabError.failed("read", "maps of pid \(pid)", "\(error)")
        }
        counters.unavailableProcesses += 1
        return nil
    }

    private func userFrame(process: ProcessImage, address: UInt64) -> Frame {
        if let cached = process.frames[address] { return cached }
        var mapping = process.maps.mapping(containing: address)
        if mapping == nil, process.secondsSinceRefresh >= mapsRefreshInterval, process.refresh() {
            mapping = process.maps.mapping(containing: address)
        }
        let found = mapping.map { frame(in: $0, process: process, address: address) } ?? Frame.unknown()
        if process.frames.count > 1_000_000 { process.frames.removeAll(keepingCapacity: true) }
        process.frames[address] = found
        return found
    }

    private func frame(in mapping: MemoryMapping, process: ProcessImage, address: UInt64) -> Frame {
        guard mapping.isFileBacked else { return pseudoFrame(mapping: mapping, address: address) }
        let (module, bias) = process.module(for: mapping, loader: loadModule)
        let moduleKind = FrameClassifier.kind(ofModule: mapping.path, executablePath: process.maps.executablePath)
        guard let image = module.image, let bias else {
            counters.unnamedAddresses += 1
            let fileOffset = address - mapping.start + mapping.fileOffset
            return Frame(name: "\(module.name)+0x\(String(fileOffset, radix: 16))", module: module.name, kind: moduleKind)
        }
        let vaddr = address &- bias
        let key = ModuleAddress(module: module.id, address: vaddr, isApp: moduleKind == .app)
        if let cached = moduleFrames[key] { return cached }
        let frame = symbolFrame(image: image, module: module, moduleKind: moduleKind, vaddr: vaddr)
        moduleFrames[key] = frame
        return frame
    }

    private func symbolFrame(image: ElfImage, module: LoadedModule, moduleKind: FrameKind, vaddr: UInt64) -> Frame {
        guard let symbol = image.codeSymbols.lookup(vaddr) else {
            counters.unnamedAddresses += 1
            return Frame(name: "\(module.name)+0x\(String(vaddr, radix: 16))", module: module.name, kind: moduleKind)
        }
        let kind = FrameClassifier.kind(moduleKind: moduleKind, symbol: symbol.name)
        return Frame(name: SymbolNames.demangle(symbol.name, style: nameStyle), module: module.name, kind: kind)
    }

    /// `[vdso]` (named from this process's copy), anonymous and other non-file memory.
    private func pseudoFrame(mapping: MemoryMapping, address: UInt64) -> Frame {
        guard mapping.path == "[vdso]" else { return Frame.unknown(module: mapping.path) }
        if let vdso = loadedVirtualDSO(), let bias = vdso.loadBias(mappingStart: mapping.start),
           let symbol = vdso.image.codeSymbols.lookup(address &- bias) {
            return Frame(name: symbol.name, module: "[vdso]", kind: .native)
        }
        counters.unnamedAddresses += 1
        return Frame(name: "[vdso]+0x\(String(address - mapping.start, radix: 16))", module: "[vdso]", kind: .native)
    }

    private func loadedVirtualDSO() -> VirtualDSO? {
        if !virtualDSOLoaded {
            virtualDSO = VirtualDSO.current()
            virtualDSOLoaded = true
        }
        return virtualDSO
    }

    private func loadModule(mapping: MemoryMapping, maps: ProcessMaps) -> LoadedModule {
        let key = LoadedModule.Key(device: mapping.device, inode: mapping.inode, path: mapping.path)
        if let known = modules[key] { return known }
        lastModuleID += 1
        let module = LoadedModule(id: lastModuleID, key: key, openablePath: maps.openablePath(of: mapping))
        if module.headers == nil { counters.unreadableModules += 1 }
        modules[key] = module
        return module
    }

    private func loadedKernelSymbols() -> KernelSymbols? {
        if kernelSymbols != nil || kernelError != nil { return kernelSymbols }
        do {
            let symbols = try KernelSymbols.load()
            if symbols.isAvailable {
                kernelSymbols = symbols
            } else {
                kernelError = FlamelabError.failed("read", "kernel symbols", "/proc/kallsyms shows no addresses (not root, or kernel.kptr_restrict)")
            }
        } catch let error as FlamelabError {
            kernelError = error
        } catch {
            kernelError = FlamelabError.failed("read", "/proc/kallsyms", "\(error)")
        }
        return kernelSymbols
    }
}
