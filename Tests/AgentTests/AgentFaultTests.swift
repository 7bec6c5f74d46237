import Agent
import Foundation
import ProfileModel
import Symbolize
import FlamelabTesting
import Testing

extension AgentBPFTests {
    /// Bad input and faults: each gets a clear `failed to ...` error or a counted outcome.
    @Suite(.serialized)
    struct AgentFaultTests {
        @Test(.requiresRoot) func nonexistentPidIsAClearError() throws {
            try TestEnvironment.requireRoot()
            let agent = Agent(config: AgentConfig(targets: .pids([999_999_9]), durationSeconds: 1))
            #expect(throws: FlamelabError("failed to find process 9999999: no such process")) { try agent.start() }
        }

        @Test func invalidSettingsAreRejectedBeforeLoading() {
            let tooFast = AgentConfig(targets: .all, hz: 20_000)
            #expect(throws: FlamelabError("failed to configure the agent: --hz 20000 is outside 1...10000")) { try tooFast.validate() }
            let noKind = AgentConfig(targets: .all, kinds: [])
            #expect(throws: FlamelabError.self) { try noKind.validate() }
            let badPid = AgentConfig(targets: .pids([0]))
            #expect(throws: FlamelabError("failed to configure the agent: 0 is not a valid pid")) { try badPid.validate() }
        }

        /// The offset the agent publishes to BPF equals the one the program measures at run time.
        @Test func traceContextOffsetMatchesTheRunningProgram() throws {
            let exe = try AgentTestSupport.product("agent-testee")
            let process = Process()
            let output = Pipe()
            process.executableURL = URL(fileURLWithPath: exe)
            process.arguments = ["tp-offset"]
            process.standardOutput = output
            try process.run()
            process.waitUntilExit()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let measured = try #require(Int64(text.trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(try TraceContextLocator.threadPointerOffset(executablePath: exe) == measured)
        }

        /// kill -9 of a recording agent leaves no flamelab program attached (links are fd-based).
        @Test(.requiresRoot) func sigkillLeavesNoProbes() throws {
            try TestEnvironment.requireRoot()
            let testee = try Testee(["cpu", "30"])
            try testee.waitUntilReady()
            testee.go()
            let recorder = Process()
            let errors = Pipe()
            recorder.executableURL = URL(fileURLWithPath: try AgentTestSupport.product("agent-record"))
            recorder.arguments = ["--pid", "\(testee.pid)", "--kind", "cpu,offcpu", "--unwind", "auto", "--duration", "60"]
            recorder.standardError = errors
            try recorder.run()
            // Wait until it says it attached.
            var seen = ""
            while !seen.contains("attached") {
                let chunk = errors.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                seen += String(decoding: chunk, as: UTF8.self)
            }
            #expect(seen.contains("attached"), "agent-record did not attach: \(seen)")
            // This agent's own programs and links, from its fds: other agents (tests running beside this
            // one, a lab serve) may hold flamelab programs of their own meanwhile.
            let held = Self.bpfIDs(heldBy: recorder.processIdentifier)
            #expect(held.programs.count >= 2 && !held.links.isEmpty, "expected the sampler and the switch program while recording: \(held)")
            kill(recorder.processIdentifier, SIGKILL)
            recorder.waitUntilExit()
            let left = Self.loadedAfterRelease(held)
            #expect(left.programs.isEmpty, "programs left after SIGKILL: \(left.programs)")
            #expect(left.links.isEmpty, "links left after SIGKILL: \(left.links)")
        }

        /// BPF program and link ids behind the fds of `pid` (`prog_id:`/`link_id:` in /proc/PID/fdinfo).
        static func bpfIDs(heldBy pid: Int32) -> (programs: Set<Int>, links: Set<Int>) {
            let dir = "/proc/\(pid)/fdinfo"
            var programs = Set<Int>(), links = Set<Int>()
            for fd in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
                let info = (try? String(contentsOfFile: "\(dir)/\(fd)", encoding: .utf8)) ?? ""
                for line in info.split(separator: "\n") {
                    let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard parts.count == 2, let id = Int(parts[1]) else { continue }
                    if parts[0] == "prog_id" { programs.insert(id) }
                    if parts[0] == "link_id" { links.insert(id) }
                }
            }
            return (programs, links)
        }

        /// Which of `ids` the kernel still has loaded.
        /// What of `ids` is still loaded once the kernel has had up to 5 s to release the links as the
        /// killed holder's fds close.
        static func loadedAfterRelease(_ ids: (programs: Set<Int>, links: Set<Int>)) -> (programs: Set<Int>, links: Set<Int>) {
            var left = loaded(ids)
            for _ in 0..<50 where !(left.programs.isEmpty && left.links.isEmpty) {
                usleep(100_000)
                left = loaded(ids)
            }
            return left
        }

        static func loaded(_ ids: (programs: Set<Int>, links: Set<Int>)) -> (programs: Set<Int>, links: Set<Int>) {
            func listed(_ object: String) -> Set<Int> {
                Set(bpftool([object, "show"]).split(separator: "\n").compactMap { line in
                    line.first?.isNumber == true ? line.split(separator: ":").first.flatMap { Int($0) } : nil
                })
            }
            return (ids.programs.intersection(listed("prog")), ids.links.intersection(listed("link")))
        }

        static func bpftool(_ arguments: [String]) -> String {
            let process = Process()
            let output = Pipe()
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/bpftool")
            process.arguments = arguments
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { return "" }
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
    }
}
