@testable import Agent
import ProfileModel
import Testing

/// A long-lived agent's recorder keeps one window's stacks, not every stack since it started.
struct SampleRecorderTests {
    private static func event(pid: Int32, user: [UInt64], at timeNs: UInt64) -> RawEvent {
        RawEvent(kind: .cpu, pid: pid, tid: pid, timeNs: timeNs, value: 1, flags: 0, kernelStack: [], userStack: user,
                 traceID: nil, spanID: nil, command: "testee", registers: nil, stackDump: [], pythonFrames: [], pythonStatus: 0)
    }

    @Test("after a cut only the pending samples' stacks are kept, and pending samples still point at theirs")
    func compactionKeepsThePendingStacksOnly() {
        let recorder = SampleRecorder(unwind: .fp, python: .off)
        for i in 0..<100 { recorder.record(Self.event(pid: 7, user: [0x1000 + UInt64(i), 0x2000, 0x3000], at: 1_000 + UInt64(i))) }
        let late = [UInt64(0x9000), 0x2000, 0x3000]
        recorder.record(Self.event(pid: 7, user: late, at: 5_000))
        recorder.record(Self.event(pid: 7, user: late, at: 5_001))
        #expect(recorder.stacks.count == 101)
        let taken = recorder.takeSamples(before: 2_000)
        #expect(taken.count == 100)
        recorder.compactStacks()
        #expect(recorder.stacks.count == 1)
        #expect(recorder.samples.count == 2)
        #expect(recorder.samples.allSatisfy { recorder.stacks[$0.stack].user == late })
        // A stack seen again after the compaction is interned anew, once.
        recorder.record(Self.event(pid: 7, user: [0x1000, 0x2000, 0x3000], at: 6_000))
        recorder.record(Self.event(pid: 7, user: [0x1000, 0x2000, 0x3000], at: 6_001))
        #expect(recorder.stacks.count == 2)
    }

    @Test("a forgotten process is seen as new again: a reused pid is prepared afresh and counted as another process")
    func forgettingAProcess() {
        let recorder = SampleRecorder(unwind: .fp, python: .off)
        var newProcesses: [Int32] = []
        recorder.onNewProcess = { newProcesses.append($0) }
        recorder.record(Self.event(pid: 7, user: [0x1000], at: 1))
        recorder.record(Self.event(pid: 8, user: [0x1000], at: 2))
        recorder.forget(pids: [7])
        #expect(recorder.processes.keys.sorted() == [8])
        recorder.record(Self.event(pid: 7, user: [0x1000], at: 3))
        #expect(newProcesses == [7, 8, 7])
        #expect(recorder.processesSeen == 3)
    }
}
