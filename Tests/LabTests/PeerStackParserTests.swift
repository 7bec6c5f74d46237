import Lab
import ProfileModel
import Testing

/// The peers' text formats, as perf 6.1 and bpftrace 0.17 print them on this machine.
@Suite struct PeerStackParserTests {
    let exe = "/work/main/.build/release/flamelab-shop"

    @Test func perfScriptBlocksBecomeRootFirstClassifiedStacks() {
        let text = """
        1234 
        \t          1aee35 _PyObject_Free (/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0)
        \t          2b0c11 [unknown] (/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0)
        \t    7f0000001234 [unknown] ([unknown])

        1235 
        \tffffffff81000000 __schedule ([kernel.kallsyms])
        \t           51234 $s4Shop8TaxCalcV3taxyyF (/work/main/.build/release/flamelab-shop)
        \t           52234 swift_retain (/work/main/.build/release/flamelab-shop)
        \t           29d90 __libc_start_call_main (/usr/lib/x86_64-linux-gnu/libc.so.6)

        """
        let samples = PeerStackParser.perfScript(text, executablePath: exe)
        #expect(samples.sampleCount == 2)
        // perf pads a 4-digit tid to five columns: the header starts with a space, not a tab.
        let padded = PeerStackParser.perfScript(text.replacingOccurrences(of: "1234 \n", with: " 9142 \n"), executablePath: exe)
        #expect(padded.sampleCount == 2)
        #expect(padded.stacks[0].last?.name == "_PyObject_Free")
        #expect(samples.stacks[0].map(\.kind) == [.unknown, .interpreter, .interpreter])
        #expect(samples.stacks[0].last?.name == "_PyObject_Free")
        #expect(samples.stacks[1].map(\.kind) == [.libc, .swiftRuntime, .app, .kernel])
        let quality = samples.quality
        #expect(quality.byKind[.interpreter]?.namedFrames == 1)
        #expect(quality.byKind[.interpreter]?.unknownFrames == 1)
        #expect(quality.userStacksReachingRoot == 1)
        #expect(samples.workerSamples == 1)
        #expect(samples.workerSamplesWithPythonNames == 0)
    }

    @Test func bpftraceMapKeepsCountsAndPutsKernelFramesAtTheLeaf() {
        let text = """
        Attaching 2 probes...


        @[
        \t7f5e463aee70 _PyObject_Free+144 (/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0)
        \t7f5e46657ce0 0x7f5e46657ce0 ([unknown])
        , ]: 3
        @[
        \t55d0000 clone3+44 (/usr/lib/x86_64-linux-gnu/libc.so.6)
        , 
        \tffffffff81001234 do_syscall_64+82 ([kernel.kallsyms])
        ]: 2
        """
        let samples = PeerStackParser.bpftraceMap(text, executablePath: exe)
        #expect(samples.sampleCount == 5)
        #expect(samples.weights == [3, 2])
        #expect(samples.stacks[0].map(\.name) == ["[unknown]", "_PyObject_Free"])
        #expect(samples.stacks[1].map(\.name) == ["clone3", "do_syscall_64"])
        #expect(samples.stacks[1].map(\.kind) == [.libc, .kernel])
        #expect(samples.quality.userStacksReachingRoot == 2)
    }

    @Test func linesWithoutAFrameAreIgnored() {
        #expect(PeerFrameLine.frame("Attaching 2 probes...", executablePath: exe) == nil)
        #expect(PeerFrameLine.frame("@[", executablePath: exe) == nil)
        #expect(PeerFrameLine.frame("\tzz12 foo (/lib/x.so)", executablePath: exe) == nil)
    }

    @Test func operatorNamesKeepTheirPlus() {
        let frame = PeerFrameLine.frame("\t1234 operator+ (/usr/lib/libstdc++.so.6)", executablePath: exe)
        #expect(frame?.name == "operator+")
        #expect(frame?.kind == .native)
    }
}
