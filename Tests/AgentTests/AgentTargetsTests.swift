import Agent
import Foundation
import ProfileModel
import FlamelabTesting
import Testing

extension AgentBPFTests {
    /// Other targets than the Swift test program: a standalone python3.11 and the whole system.
    @Suite(.serialized)
    struct AgentTargetsTests {
        static let script = """
        import time
        def planted_leaf(n):
            s = 0
            for i in range(n):
                s += i * i
            return s
        def planted_caller(seconds):
            end = time.time() + seconds
            while time.time() < end:
                planted_leaf(20000)
        planted_caller(3)
        """

        /// >= 90% of a CPython 3.11 process's CPU samples carry its Python function names, merged above
        /// the interpreter's eval frame.
        @Test(.requiresRoot, arguments: [UnwindMode.fp, .dwarf])
        func standalonePythonGetsPythonFrames(unwind: UnwindMode) throws {
            try TestEnvironment.requireRoot()
            let python = "/usr/bin/python3.11"
            guard FileManager.default.isExecutableFile(atPath: python) else {
                Issue.record("failed to find \(python): install python3.11")
                return
            }
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("agent-py-\(getpid()).py").path
            try Self.script.write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [path]
            try process.run()
            usleep(300_000) // let the interpreter start: _PyRuntime must exist to be registered
            let agent = Agent(config: AgentConfig(targets: .pids([process.processIdentifier]), unwind: unwind, python: .auto, durationSeconds: 10))
            let recording = try agent.record()
            process.waitUntilExit()
            let profile = try #require(recording.profile(.cpu))
            #expect(recording.stats.pythonProcesses == [process.processIdentifier], "\(recording.stats.notes)")
            let stacks = profile.samples.map { profile.frames(ofStack: $0.stackID) }
            #expect(stacks.count >= 30, "\(recording.stats.summary)")
            let named = stacks.filter { frames in
                frames.contains { $0.kind == .python && $0.name.hasPrefix("planted_caller") }
            }
            #expect(Double(named.count) >= 0.9 * Double(stacks.count), "Python names in \(named.count) of \(stacks.count) samples")
            // With DWARF the native stack through libpython is whole: Python frames sit above (leafward
            // of) an eval frame. Frame-pointer stacks through it are garbage (DESIGN §3): not checked.
            if unwind == .dwarf, let sample = named.first, let python = sample.firstIndex(where: { $0.kind == .python }) {
                #expect(sample[..<python].contains { $0.name.hasPrefix("_PyEval_EvalFrameDefault") })
            }
        }

        @Test(.requiresRoot) func wholeSystemIncludesTheTestProgram() throws {
            try TestEnvironment.requireRoot()
            let testee = try Testee(["cpu", "6"])
            try testee.waitUntilReady()
            let agent = Agent(config: AgentConfig(targets: .all, kinds: [.cpu, .offcpu], durationSeconds: 6))
            try agent.start()
            testee.go()
            let recording = agent.finish()
            testee.waitForExit()
            let cpu = try #require(recording.profile(.cpu))
            let mine = cpu.samples.filter { $0.labels.pid == testee.pid }
            #expect(mine.count >= 5, "\(recording.stats.summary)")
            #expect(recording.stats.processesSeen >= 2)
            // Whole-system trace ids start once the process's executable has been read (on a queue
            // shared with every other new process): reported, not asserted, because on a loaded
            // machine a few huge executables can hold that queue for seconds.
            let traced = mine.filter { $0.labels.traceID == AgentRecordingTests.traceID }.count
            print("whole system: \(traced) of \(mine.count) samples of the test program carry its trace id")
        }
    }
}
