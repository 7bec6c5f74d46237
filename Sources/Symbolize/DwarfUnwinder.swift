import ProfileModel
import CElfDwarf
import Foundation

/// Unwinds user stacks copied by BPF (registers + the top of the stack) with libdw's CFI
/// (`.eh_frame` / `.debug_frame`), for code built without frame pointers (libpython, glibc).
///
/// One libdwfl session per process, built from a /proc/PID/maps snapshot and kept after the
/// process exits. Memory reads are served from the copied stack, and from the modules' read-only
/// ELF contents; a read past the copy ends the walk cleanly. Thread-safe (one lock).
/// `@unchecked Sendable`: sessions and errors are behind `lock`; libdw handles are used only under it.
public final class DwarfUnwinder: @unchecked Sendable {
    /// Register count of a capture, DWARF order: rax, rdx, rcx, rbx, rsi, rdi, rbp, rsp, r8..r15, rip.
    public static let registerCount = Int(CELF_X86_64_REGISTER_COUNT)
    /// Longest stack returned.
    public var maximumFrames = 256

    private let lock = NSLock()
    private var sessions: [Int32: Session] = [:]
    private var sessionErrors: [Int32: FlamelabError] = [:]
    private let refreshInterval = 1.0
    private var virtualDSO: VirtualDSO?
    private var virtualDSOLoaded = false
    /// Frame-pointer verdicts per return site; cleared when full (a few MiB at most).
    private var verdicts: [ModulePC: CachedVerdict] = [:]
    private let maximumVerdicts = 65_536
    /// Compiled unwind rules per module file and address range (the fast path's cache).
    var rules = UnwindRuleCache()
    private let usesCompiledRules: Bool
    /// Also unwind every compiled walk with libdwfl and count disagreements (tests: costs both paths).
    public var crossCheck = false
    var unwindCounts = DwarfUnwindCounts()
    /// Up to a few cross-check disagreements, for a failing test to show.
    private var mismatchExamples: [String] = []

    /// - Parameter compiledRules: unwind with cached compiled rules where they reproduce libdwfl's
    ///   result (the default); false unwinds every sample with libdwfl.
    public init(compiledRules: Bool = DwarfUnwinder.compiledRulesByDefault) {
        usesCompiledRules = compiledRules
    }

    /// True unless the environment sets FLAMELAB_DWARF_RULES=off: a switch to measure the fast path
    /// against libdwfl alone with one binary (A/B), or to rule it out when a stack looks wrong.
    public static var compiledRulesByDefault: Bool {
        ProcessInfo.processInfo.environment["FLAMELAB_DWARF_RULES"] != "off"
    }

    /// How the samples were unwound so far.
    public var counts: DwarfUnwindCounts {
        lock.lock()
        defer { lock.unlock() }
        var counts = unwindCounts
        counts.cachedRules = rules.count
        return counts
    }

    /// The first cross-check disagreements (rip, then both PC lists).
    public var crossCheckMismatchExamples: [String] {
        lock.lock()
        defer { lock.unlock() }
        return mismatchExamples
    }

    deinit {
        for session in sessions.values { celf_unwinder_destroy(session.handle) }
    }

    /// Builds the session for `pid` now, while the process is alive.
    public func prepare(pid: Int32) {
        lock.lock()
        defer { lock.unlock() }
        _ = session(pid: pid)
    }

    /// Unwinds one captured stack. Returns leaf-first PCs: `[0]` is rip, the others are return
    /// addresses (as `Symbolizer.symbolizeUser` expects). Empty when the capture is malformed or the
    /// process was never seen alive; just `[rip]` when nothing more can be recovered.
    public func unwind(pid: Int32, registers: [UInt64], stack: [UInt8], stackPointer: UInt64) -> [UInt64] {
        stack.withUnsafeBytes { unwind(pid: pid, registers: registers, stack: $0, stackPointer: stackPointer) }
    }

    /// `unwind` over stack bytes read in place (e.g. the ring buffer's record, valid during the call).
    public func unwind(pid: Int32, registers: [UInt64], stack: UnsafeRawBufferPointer, stackPointer: UInt64) -> [UInt64] {
        guard registers.count == DwarfUnwinder.registerCount else { return [] }
        lock.lock()
        defer { lock.unlock() }
        let rip = registers[Int(CELF_X86_64_RIP)]
        guard var current = session(pid: pid) else { return [rip] }
        if current.modules.module(containing: rip) == nil, current.age >= refreshInterval,
           let rebuilt = rebuildSession(pid: pid) {
            current = rebuilt
        }
        if usesCompiledRules,
           let pcs = walkWithCompiledRules(session: current, registers: registers, stack: stack, stackPointer: stackPointer) {
            unwindCounts.compiled += 1
            if crossCheck { compare(pcs, interpreted(session: current, pid: pid, registers: registers, stack: stack, stackPointer: stackPointer)) }
            return pcs
        }
        unwindCounts.interpreted += 1
        return interpreted(session: current, pid: pid, registers: registers, stack: stack, stackPointer: stackPointer)
    }

    /// libdwfl's unwinding of one sample (lock held).
    private func interpreted(session: Session, pid: Int32, registers: [UInt64], stack: UnsafeRawBufferPointer,
                             stackPointer: UInt64) -> [UInt64] {
        var pcs = [UInt64](repeating: 0, count: maximumFrames)
        let count = registers.withUnsafeBufferPointer { registerBuffer in
            celf_unwinder_unwind(session.handle, pid, registerBuffer.baseAddress,
                                 stack.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                 stack.count, stackPointer, &pcs, pcs.count)
        }
        return Array(pcs.prefix(count))
    }

    private func compare(_ compiled: [UInt64], _ interpreted: [UInt64]) {
        unwindCounts.crossChecked += 1
        guard compiled != interpreted else { return }
        unwindCounts.crossCheckMismatches += 1
        if mismatchExamples.count < 5 {
            let hex = { (pcs: [UInt64]) in pcs.map { String($0, radix: 16) }.joined(separator: " ") }
            mismatchExamples.append("compiled [\(hex(compiled))] libdwfl [\(hex(interpreted))]")
        }
    }

    /// Whether the function at `pc` in `pid` has set up its frame pointer there, from its module's
    /// CFI: true (the CFA is rbp-based), false (rsp-based: the frame-pointer walk skips its caller or
    /// reads garbage), nil (no module or no CFI covers `pc`). Cached per (build id, offset), so every
    /// process mapping the same file shares one verdict; the cache is bounded.
    public func framePointerKept(pid: Int32, pc: UInt64) -> Bool? {
        lock.lock()
        defer { lock.unlock() }
        guard let current = session(pid: pid) else { return nil }
        guard let key = moduleKey(current.handle, pc: pc) else {
            return Self.verdict(celf_unwinder_frame_pointer_at(current.handle, pc))
        }
        if let known = verdicts[key] { return known.value }
        let verdict = Self.verdict(celf_unwinder_frame_pointer_at(current.handle, pc))
        if verdicts.count >= maximumVerdicts { verdicts.removeAll(keepingCapacity: true) }
        verdicts[key] = CachedVerdict(value: verdict)
        return verdict
    }

    private struct ModulePC: Hashable {
        let buildID: [UInt8]
        let offset: UInt64
    }

    private struct CachedVerdict {
        let value: Bool?
    }

    private static func verdict(_ code: Int32) -> Bool? {
        code < 0 ? nil : code == 1
    }

    private func moduleKey(_ handle: OpaquePointer, pc: UInt64) -> ModulePC? {
        var buildID = [UInt8](repeating: 0, count: 64)
        var size = 0
        var offset: UInt64 = 0
        guard celf_unwinder_module_key(handle, pc, &buildID, buildID.count, &size, &offset) == 0 else { return nil }
        return ModulePC(buildID: Array(buildID.prefix(size)), offset: offset)
    }

    /// Why `pid` has no session, if it has none.
    public func error(pid: Int32) -> FlamelabError? {
        lock.lock()
        defer { lock.unlock() }
        return sessionErrors[pid]
    }

    /// Releases the session of `pid`.
    public func forget(pid: Int32) {
        lock.lock()
        defer { lock.unlock() }
        if let session = sessions.removeValue(forKey: pid) { celf_unwinder_destroy(session.handle) }
        sessionErrors[pid] = nil
    }

    // MARK: - sessions (lock held)

    struct Session {
        let handle: OpaquePointer
        let createdAt: Double
        /// The modules reported to `handle`, for the compiled-rule walk.
        let modules: UnwindModuleTable
        var age: Double { ProcessImage.now() - createdAt }
    }

    private func session(pid: Int32) -> Session? {
        if let known = sessions[pid] { return known }
        if sessionErrors[pid] != nil { return nil }
        return rebuildSession(pid: pid)
    }

    private func rebuildSession(pid: Int32) -> Session? {
        do {
            let session = try makeSession(maps: ProcessMaps.read(pid: pid))
            if let old = sessions.updateValue(session, forKey: pid) { celf_unwinder_destroy(old.handle) }
            return session
        } catch let error as FlamelabError {
            if sessions[pid] == nil { sessionErrors[pid] = error }
        } catch {
            if sessions[pid] == nil { sessionErrors[pid] = FlamelabError.failed("unwind", "pid \(pid)", "\(error)") }
        }
        return sessions[pid]
    }

    private func makeSession(maps: ProcessMaps) throws -> Session {
        var errorBuffer = [CChar](repeating: 0, count: 256)
        guard let handle = celf_unwinder_create(maps.pid, &errorBuffer, errorBuffer.count) else {
            throw FlamelabError.failed("start", "unwinder for pid \(maps.pid)", String(cString: errorBuffer))
        }
        for (mapping, bias) in DwarfUnwinder.reportableModules(maps: maps) {
            // A module libdwfl refuses (overlap, unreadable) only costs the frames inside it.
            _ = celf_unwinder_report(handle, FrameClassifier.basename(mapping.path), maps.openablePath(of: mapping),
                                     bias, &errorBuffer, errorBuffer.count)
        }
        reportVirtualDSO(handle: handle, maps: maps, errorBuffer: &errorBuffer)
        guard celf_unwinder_finish(handle, &errorBuffer, errorBuffer.count) == 0 else {
            celf_unwinder_destroy(handle)
            throw FlamelabError.failed("attach", "unwinder to pid \(maps.pid)", String(cString: errorBuffer))
        }
        let modules = UnwindModuleTable(handle: handle) { rules.moduleID(buildID: $0) }
        return Session(handle: handle, createdAt: ProcessImage.now(), modules: modules)
    }

    /// Samples taken in clock_gettime & co. start in the vDSO: report this process's copy of it.
    private func reportVirtualDSO(handle: OpaquePointer, maps: ProcessMaps, errorBuffer: inout [CChar]) {
        guard let mapping = maps.mappings.first(where: { $0.path == "[vdso]" }) else { return }
        if !virtualDSOLoaded {
            virtualDSO = VirtualDSO.current()
            virtualDSOLoaded = true
        }
        guard let vdso = virtualDSO, let bias = vdso.loadBias(mappingStart: mapping.start) else { return }
        _ = vdso.bytes.withUnsafeBytes { buffer in
            celf_unwinder_report_memory(handle, "[vdso]", buffer.baseAddress, buffer.count, bias, &errorBuffer, errorBuffer.count)
        }
    }

    /// One entry per mapped ELF file (its first mapping), with the load bias computed from it.
    private static func reportableModules(maps: ProcessMaps) -> [(MemoryMapping, UInt64)] {
        var seen = Set<String>()
        var modules: [(MemoryMapping, UInt64)] = []
        for mapping in maps.mappings where mapping.isFileBacked && !seen.contains(mapping.path) {
            seen.insert(mapping.path)
            guard let image = try? ElfImage.load(path: maps.openablePath(of: mapping), symbols: false),
                  let bias = image.loadBias(mappingStart: mapping.start, fileOffset: mapping.fileOffset,
                                            isExecutable: mapping.isExecutable) else { continue }
            modules.append((mapping, bias))
        }
        return modules
    }
}
