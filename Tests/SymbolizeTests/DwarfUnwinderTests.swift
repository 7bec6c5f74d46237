import CElfDwarf
import ProfileModel
import Testing
@testable import Symbolize

/// A captured user context, as the BPF side hands it over.
struct CapturedStack {
    var registers: [UInt64]
    var stack: [UInt8]
    var stackPointer: UInt64
}

@inline(never) @_optimize(none)  // release test builds: no tail calls or specialization of the known chain
func unwindChainA(capacity: Int) -> CapturedStack {
    var result = unwindChainB(capacity: capacity)
    result.stack.append(0)   // work after the call keeps this frame off the tail-call path
    result.stack.removeLast()
    return result
}

@inline(never) @_optimize(none)  // release test builds: no tail calls or specialization of the known chain
func unwindChainB(capacity: Int) -> CapturedStack {
    var result = unwindChainC(capacity: capacity)
    // A different body from A's, so the optimizer cannot merge the two functions into one.
    result.stack.append(0xb)
    result.stack.append(0xb)
    result.stack.removeLast(2)
    return result
}

@inline(never) @_optimize(none)  // release test builds: no tail calls or specialization of the known chain
func unwindChainC(capacity: Int) -> CapturedStack {
    var registers = [UInt64](repeating: 0, count: DwarfUnwinder.registerCount)
    var stack = [UInt8](repeating: 0, count: capacity)
    var stackPointer: UInt64 = 0
    let copied = celf_capture_current_stack(&registers, &stack, capacity, &stackPointer)
    return CapturedStack(registers: registers, stack: Array(stack.prefix(copied)), stackPointer: stackPointer)
}

@Suite("DWARF unwinding of the test process's own stack")
struct DwarfUnwinderTests {
    @Test("unwinds a captured stack through a known chain c <- b <- a")
    func unwindsKnownChain() {
        let capture = unwindChainA(capacity: 64 * 1024)
        #expect(capture.stack.count > 1024)
        let pcs = DwarfUnwinder().unwind(pid: TestProcess.pid, registers: capture.registers,
                                         stack: capture.stack, stackPointer: capture.stackPointer)
        let frames = Symbolizer(nameStyle: .simplified).symbolizeUser(pid: TestProcess.pid, addresses: pcs)
        let names = frames.map(\.name)
        #expect(pcs.first == capture.registers[16])
        #expect(names.first == "celf_capture_current_stack")
        let chain = ["SymbolizeTests.unwindChainC", "SymbolizeTests.unwindChainB", "SymbolizeTests.unwindChainA"]
        let positions = chain.map { names.firstIndex(of: $0) }
        #expect(positions.allSatisfy { $0 != nil }, "stack: \(names)")
        let found = positions.compactMap { $0 }
        #expect(found == found.sorted() && found.count == 3, "chain out of order in \(names)")
        // The walk continues past the test body into the test runner.
        #expect(names.contains { $0.contains("unwindsKnownChain") }, "stack: \(names)")
        #expect(pcs.count > 8, "stack: \(names)")
        // The thread's root is named when libc's detached symbols (libc6-dbg) are installed.
        if frames.contains(where: { $0.kind == .libc && $0.name.hasPrefix("libc.so") }) {
            Issue.record("libc frames unnamed (install libc6-dbg for start_thread/clone3): \(names)")
        } else {
            #expect(SymbolizationQuality.reachesRoot(frames, order: .leafFirst), "stack: \(names)")
        }
    }

    @Test("stops cleanly at the end of a short copy")
    func stopsAtEndOfCopy() {
        let capture = unwindChainA(capacity: 64 * 1024)
        let unwinder = DwarfUnwinder()
        let short = unwinder.unwind(pid: TestProcess.pid, registers: capture.registers,
                                    stack: Array(capture.stack.prefix(256)), stackPointer: capture.stackPointer)
        let full = unwinder.unwind(pid: TestProcess.pid, registers: capture.registers,
                                   stack: capture.stack, stackPointer: capture.stackPointer)
        #expect(!short.isEmpty)
        #expect(short.count < full.count)
        #expect(Array(full.prefix(short.count)) == short)
        let none = unwinder.unwind(pid: TestProcess.pid, registers: capture.registers, stack: [], stackPointer: capture.stackPointer)
        #expect(none.first == capture.registers[16])
    }

    @Test("malformed captures and unknown pids give short answers, not crashes")
    func badInput() {
        let unwinder = DwarfUnwinder()
        #expect(unwinder.unwind(pid: TestProcess.pid, registers: [1, 2, 3], stack: [], stackPointer: 0).isEmpty)
        var registers = [UInt64](repeating: 0, count: DwarfUnwinder.registerCount)
        registers[16] = 0x1234
        #expect(unwinder.unwind(pid: 0x3fff_fff0, registers: registers, stack: [0, 1, 2], stackPointer: 8) == [0x1234])
        #expect(unwinder.error(pid: 0x3fff_fff0)?.description.hasPrefix("failed to read /proc/") == true)
        let garbage = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        registers[16] = symbolizeProbeFunction()
        let pcs = unwinder.unwind(pid: TestProcess.pid, registers: registers, stack: garbage, stackPointer: 0x7000_0000)
        #expect(!pcs.isEmpty && pcs.count <= unwinder.maximumFrames)
    }
}

@Suite("DWARF unwinding out of the vDSO")
struct VirtualDSOUnwindTests {
    @Test("a sample at the entry of clock_gettime unwinds to its caller")
    func unwindsFromVDSOEntry() throws {
        let maps = try ProcessMaps.read(pid: TestProcess.pid)
        let mapping = try #require(maps.mappings.first { $0.path == "[vdso]" })
        let vdso = try #require(VirtualDSO.current())
        let bias = try #require(vdso.loadBias(mappingStart: mapping.start))
        let entry = try #require(vdso.image.codeSymbols.address(named: "clock_gettime")
            ?? vdso.image.codeSymbols.address(named: "__vdso_clock_gettime")) + bias
        let caller = symbolizeProbeFunction()
        // At a function's first instruction the return address is the word at rsp.
        var registers = [UInt64](repeating: 0, count: DwarfUnwinder.registerCount)
        registers[7] = 0x7ff0_0000_0000
        registers[16] = entry
        let stack = withUnsafeBytes(of: caller.littleEndian) { Array($0) }
        let pcs = DwarfUnwinder().unwind(pid: TestProcess.pid, registers: registers, stack: stack, stackPointer: registers[7])
        #expect(Array(pcs.prefix(2)) == [entry, caller], "pcs \(pcs.map { String($0, radix: 16) })")
    }
}
