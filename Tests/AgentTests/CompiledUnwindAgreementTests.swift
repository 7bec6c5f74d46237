import Agent
import Foundation
import LabRuntime
import FlamelabTesting
import Testing

extension AgentBPFTests {
    /// The compiled-rule walk on real stack copies: the agent in DWARF mode with the cross-check on
    /// unwinds every sample the compiled rules answer with libdwfl too, in the same session; the
    /// two PC lists must be identical on at least 99% of them, and the compiled rules must answer
    /// most samples (or the fast path is not taken and the agent's CPU stays where it was).
    @Suite(.serialized)
    struct CompiledUnwindAgreementTests {
        static let hz = 499
        static let seconds = 3.0

        @Test(.requiresRoot) func framelessCProgramAgreesWithLibdwfl() throws {
            try TestEnvironment.requireRoot()
            let program = try FramelessProgram.c()
            let process = try ChildProcess(program.executable, [], output: "/dev/null")
            defer { process.signal(SIGKILL); _ = process.wait(seconds: 5) }
            try Self.checkAgreement(pid: process.pid, name: program.name)
        }

        @Test(.requiresRoot) func pythonAgreesWithLibdwfl() throws {
            try TestEnvironment.requireRoot()
            let python = "/usr/bin/python3.11"
            guard FileManager.default.isExecutableFile(atPath: python) else {
                Issue.record("failed to find \(python): install python3.11")
                return
            }
            let script = """
            import time
            def leaf(n):
                return sum(i * i for i in range(n))
            def middle(depth):
                return leaf(2000) if depth == 0 else middle(depth - 1)
            end = time.time() + 8
            while time.time() < end:
                middle(20)
                time.sleep(0.001)
            """
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("compiled-unwind-\(getpid()).py").path
            try script.write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let process = try ChildProcess(python, [path], output: "/dev/null")
            defer { process.signal(SIGKILL); _ = process.wait(seconds: 5) }
            try Self.checkAgreement(pid: process.pid, name: "python3.11")
        }

        static func checkAgreement(pid: Int32, name: String) throws {
            usleep(300_000)
            var config = AgentConfig(targets: .pids([pid]), hz: hz, kinds: [.cpu, .offcpu], unwind: .dwarf, python: .off, durationSeconds: seconds)
            config.crossCheckDwarf = true
            let recording = try Agent(config: config).record()
            let counts = recording.stats.dwarfUnwinds
            let line = "\(name): \(counts.summary); examples \(recording.stats.dwarfCrossCheckMismatchExamples)"
            print(line)
            #expect(counts.crossChecked == counts.compiled, "\(line)")
            #expect(counts.compiled + counts.interpreted > 300, "\(line)")
            #expect(counts.crossCheckMismatches * 100 <= counts.crossChecked, "\(line)")
            #expect(counts.compiled * 10 >= (counts.compiled + counts.interpreted) * 9, "\(line)")
        }
    }
}
