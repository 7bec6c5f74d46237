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
    @Test("the compiled walk gives libdwfl's PCs on the test process's own stack")
    func agreesWithLibdwflOnOwnStack() {
        let capture = unwindChainA(capacity: 64 * 1024)
        let compiled = DwarfUnwinder()
        compiled.crossCheck = true
        let lengths = [capture.stack.count, 4096, 1024, 300, 64, 0]
        for length in lengths {
            let pcs = compiled.unwind(pid: TestProcess.pid, registers: capture.registers,
                                      stack: Array(capture.stack.prefix(length)), stackPointer: capture.stackPointer)
            #expect(pcs.first == capture.registers[Int(CELF_X86_64_RIP)])
        }
        let counts = compiled.counts
        #expect(counts.compiled == lengths.count, "\(counts.summary)")
        #expect(counts.crossChecked == lengths.count && counts.crossCheckMismatches == 0,
                "\(counts.summary): \(compiled.crossCheckMismatchExamples)")
        #expect(counts.cachedRules > 0)
        let interpreted = DwarfUnwinder(compiledRules: false)
        _ = interpreted.unwind(pid: TestProcess.pid, registers: capture.registers, stack: capture.stack, stackPointer: capture.stackPointer)
        #expect(interpreted.counts.compiled == 0 && interpreted.counts.interpreted == 1)
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
