import ProfileModel
import CTraceContext
import Foundation
import Testing
@testable import Symbolize

@Suite("TraceContextLocator")
struct TraceContextLocatorTests {
    @Test("the offset from the ELF file matches the running thread's")
    func matchesRuntimeOffset() throws {
        // Under `swift test` on Linux, /proc/self/exe is the test bundle executable, which links CTraceContext.
        let runtime = Int64(flamelab_trace_context_tp_offset())
        let fromFile = try TraceContextLocator.threadPointerOffset(executablePath: "/proc/self/exe")
        #expect(fromFile == runtime, "file \(String(describing: fromFile)) runtime \(runtime)")
        #expect(runtime < 0)
    }

    @Test("the executable exports otel_thread_ctx_v1 in .dynsym, as OTEP 4947 requires")
    func exportedInDynamicSymbols() throws {
        let found = try #require(try TlsExport.find(TraceContextLocator.symbolName, in: "/proc/self/exe"))
        #expect(found.isInDynamicSymbols, "the linker flag --export-dynamic-symbol=otel_thread_ctx_v1 did not reach this executable")
        #expect(found.tlsSegment != nil)
    }

    @Test("locating it in a live process (this one) gives the running thread's offset")
    func locatesThisProcess() throws {
        let runtime = Int64(flamelab_trace_context_tp_offset())
        #expect(try TraceContextLocator.locate(pid: getpid()) == .threadPointer(offset: runtime))
    }

    @Test("published ids read back; cleared reads as no context")
    func publishAndClear() {
        let trace: [UInt8] = Array(1...16), span: [UInt8] = Array(101...108)
        flamelab_trace_context_set(trace, span)
        var traceOut = [UInt8](repeating: 0, count: 16), spanOut = [UInt8](repeating: 0, count: 8)
        #expect(flamelab_trace_context_get(&traceOut, &spanOut) == 1)
        #expect(traceOut == trace && spanOut == span)
        flamelab_trace_context_clear()
        #expect(flamelab_trace_context_get(&traceOut, &spanOut) == 0)
    }

    @Test("an executable without the variable gives nil")
    func absentSymbol() throws {
        #expect(try TraceContextLocator.threadPointerOffset(executablePath: "/bin/true") == nil)
    }

    @Test("a missing or non-ELF file gives a clear error")
    func badFiles() throws {
        #expect(throws: FlamelabError.self) {
            try TraceContextLocator.threadPointerOffset(executablePath: "/nonexistent/flamelab")
        }
        do {
            _ = try TraceContextLocator.threadPointerOffset(executablePath: "/etc/hostname")
            Issue.record("expected an error for a text file")
        } catch let error as FlamelabError {
            #expect(error.description.hasPrefix("failed to read ELF /etc/hostname: not an ELF file"))
        }
    }

    @Test("variant II arithmetic: block below tp, rounded to alignment, honouring p_vaddr % align")
    func arithmetic() {
        let aligned = ElfSegment(type: ElfSegment.tlsType, flags: 4, offset: 0, vaddr: 0x2000, fileSize: 0, memorySize: 0x28, alignment: 16)
        #expect(TraceContextLocator.threadPointerOffset(symbolValue: 0, tlsSegment: aligned) == -0x30)
        #expect(TraceContextLocator.threadPointerOffset(symbolValue: 0x10, tlsSegment: aligned) == -0x20)
        let misaligned = ElfSegment(type: ElfSegment.tlsType, flags: 4, offset: 0, vaddr: 0x2008, fileSize: 0, memorySize: 0x28, alignment: 16)
        // firstbyte = 8: roundup(0x28 - 8, 16) + 8 = 0x28.
        #expect(TraceContextLocator.threadPointerOffset(symbolValue: 0, tlsSegment: misaligned) == -0x28)
    }
}
