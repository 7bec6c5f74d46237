import CElfDwarf
import Testing
@testable import Symbolize

/// The compiled-rule walk must give libdwfl's answer exactly, and answer most samples itself.
@Suite("Compiled unwind rules against libdwfl")
struct CompiledUnwindRuleTests {
    /// The test process's own stack (Swift test runner, Foundation, glibc), whole and cut at
    /// several lengths: the compiled walk answers, and libdwfl in the same session agrees on each.
    /// (Same session: libdwfl's module lookup is stateful, a fresh session can miss a module the
    /// compiled walk's lookups have already resolved, e.g. libc's start_thread.)
    /// The runner's frames above the test differ from run to run. On a libdispatch worker thread the
    /// walk has met, at the thread's root in libc, a return address outside every module of the
    /// session (libdwfl's answer for the same cut ended in libc); such a cut is handed to
    /// libdwfl whole, which is right but slow, and is printed with libdwfl's frames. The cuts that stay
    /// within the test's own frames (1 KiB and less) must be compiled, and every compiled cut must
    /// give libdwfl's PCs exactly.
    @Test("the compiled walk gives libdwfl's PCs on the test process's own stack")
    func agreesWithLibdwflOnOwnStack() throws {
        let capture = unwindChainA(capacity: 64 * 1024)
        let compiled = DwarfUnwinder()
        compiled.crossCheck = true
        let mappings = try ProcessMaps.read(pid: TestProcess.pid).mappings
        let lengths = [capture.stack.count, 4096, 1024, 300, 64, 0]
        var handedOver = 0
        for length in lengths {
            let before = compiled.counts
            let pcs = compiled.unwind(pid: TestProcess.pid, registers: capture.registers,
                                      stack: Array(capture.stack.prefix(length)), stackPointer: capture.stackPointer)
            #expect(pcs.first == capture.registers[Int(CELF_X86_64_RIP)])
            let after = compiled.counts
            guard after.interpreted > before.interpreted else { continue }
            handedOver += 1
            #expect(length > 1024, "cut \(length) is within the test's own frames, yet handed to libdwfl: \(after.summary)")
            print("cut \(length): handed to libdwfl (\(after.summary)); libdwfl's frames: \(Self.describe(pcs, mappings))")
        }
        let counts = compiled.counts
        print("own stack of \(capture.stack.count) bytes: \(counts.summary)")
        #expect(counts.compiled + handedOver == lengths.count && counts.compiled >= 4, "\(counts.summary)")
        #expect(counts.crossChecked == counts.compiled && counts.crossCheckMismatches == 0,
                "\(counts.summary): \(compiled.crossCheckMismatchExamples)")
        #expect(counts.cachedRules > 0)
        let interpreted = DwarfUnwinder(compiledRules: false)
        _ = interpreted.unwind(pid: TestProcess.pid, registers: capture.registers, stack: capture.stack, stackPointer: capture.stackPointer)
        #expect(interpreted.counts.compiled == 0 && interpreted.counts.interpreted == 1)
    }

    /// Each pc with the mapping that holds it, for a failure message.
    private static func describe(_ pcs: [UInt64], _ mappings: [MemoryMapping]) -> String {
        pcs.map { pc in
            let mapping = mappings.first { $0.start <= pc && pc < $0.end }
            return String(pc, radix: 16) + " " + (mapping.map { "\($0.permissions) \($0.path)" } ?? "unmapped")
        }.joined(separator: "; ")
    }

    /// A leaf outside every module (JIT code, a garbage rip) has no CFI: libdwfl then guesses with
    /// frame pointers, so the compiled walk must hand the sample over rather than stop.
    @Test("a leaf without CFI falls back to libdwfl")
    func leafWithoutCFIFallsBack() {
        let capture = unwindChainA(capacity: 16 * 1024)
        var registers = capture.registers
        registers[Int(CELF_X86_64_RIP)] = 0x10
        let unwinder = DwarfUnwinder()
        unwinder.crossCheck = true
        let pcs = unwinder.unwind(pid: TestProcess.pid, registers: registers, stack: capture.stack, stackPointer: capture.stackPointer)
        #expect(pcs.first == 0x10)
        #expect(unwinder.counts.interpreted == 1 && unwinder.counts.compiled == 0)
    }

    @Test("rules are cached per address range, so neighbouring pcs share one")
    func rulesCoverRanges() {
        var cache = UnwindRuleCache(capacity: 8)
        let module = cache.moduleID(buildID: [1, 2, 3])
        #expect(cache.moduleID(buildID: [1, 2, 3]) == module)
        #expect(cache.moduleID(buildID: nil) != cache.moduleID(buildID: nil))
        var rule = celf_unwind_rule()
        rule.cfa_offset = 16
        cache.insert(rule, module: module, address: 0x1010, start: 0x1000, end: 0x1040)
        #expect(cache.rule(module: module, address: 0x1000)?.cfa_offset == 16)
        #expect(cache.rule(module: module, address: 0x103f)?.cfa_offset == 16)
        #expect(cache.rule(module: module, address: 0x1040) == nil)
        #expect(cache.rule(module: module, address: 0xfff) == nil)
        // An overlapping range is kept to its own address only.
        rule.cfa_offset = 24
        cache.insert(rule, module: module, address: 0x1050, start: 0x1020, end: 0x1060)
        #expect(cache.rule(module: module, address: 0x1050)?.cfa_offset == 24)
        #expect(cache.rule(module: module, address: 0x1051) == nil)
        #expect(cache.rule(module: module, address: 0x1030)?.cfa_offset == 16)
        for index in 0..<8 { cache.insert(rule, module: module, address: 0x9000 + UInt64(index) * 16, start: 0x9000 + UInt64(index) * 16, end: 0x9000 + UInt64(index) * 16 + 8) }
        #expect(cache.count <= cache.capacity)
    }
}
