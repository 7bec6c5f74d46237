@testable import Agent
import ProfileModel
import Foundation
import Symbolize
import FlamelabTesting
import Testing

/// The uprobe/uretprobe timer on a known program: agent-testee blocks exactly COUNT × 200 ms inside
/// blockTwoHundredMilliseconds, so the probes must see COUNT calls and at least COUNT × 200 ms.
@Suite(.serialized) struct UprobeTimerTests {
    @Test(.requiresRoot) func countsEveryCallAndItsTime() throws {
        try TestEnvironment.requireRoot()
        let testee = try Testee(["block", "3"])
        try testee.waitUntilReady()
        let timer = try UprobeTimer(pid: testee.pid, functionName: "blockTwoHundredMilliseconds")
        #expect(timer.functions.allSatisfy { $0.demangledName.contains("blockTwoHundredMilliseconds") })
        testee.go()
        testee.waitForExit()
        let totals = try timer.totals()
        #expect(totals.calls == 3)
        #expect(totals.missedEntries == 0)
        #expect(totals.nanoseconds >= 600_000_000 && totals.nanoseconds < 1_200_000_000)
    }

    @Test func unknownFunctionIsAClearError() throws {
        let exe = try AgentTestSupport.product("agent-testee")
        let error = #expect(throws: FlamelabError.self) { try UprobeFunction.resolve(binaryPath: exe, name: "noSuchFunctionAnywhere") }
        #expect(error?.description.hasPrefix("failed to resolve noSuchFunctionAnywhere") == true)
    }

    @Test func fileOffsetFollowsTheLoadSegment() {
        let text = ElfSegment(type: ElfSegment.loadType, flags: 5, offset: 0x1000, vaddr: 0x401000, fileSize: 0x2000, memorySize: 0x2000, alignment: 0x1000)
        #expect(UprobeFunction.fileOffset(of: 0x401234, segments: [text]) == 0x1234)
        #expect(UprobeFunction.fileOffset(of: 0x500000, segments: [text]) == nil)
    }
}
