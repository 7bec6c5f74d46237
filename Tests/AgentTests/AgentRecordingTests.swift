import Agent
import Foundation
import ProfileModel
import FlamelabTesting
import Testing

extension AgentBPFTests {
    /// Real BPF against the known program agent-testee (root; see AgentTestSupport.requireRoot).
    @Suite(.serialized)
    struct AgentRecordingTests {
        static let traceID = TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736")!
        static let spanID = SpanID(hex: "00f067aa0ba902b7")!

        /// True when `names` contains frames starting with each prefix, in that order (root first).
        static func containsInOrder(_ names: [String], _ prefixes: [String]) -> Bool {
            var next = 0
            for name in names where next < prefixes.count && name.hasPrefix(prefixes[next]) { next += 1 }
            return next == prefixes.count
        }

        static func record(_ testee: Testee, kinds: Set<ProfileKind>, unwind: UnwindMode, duration: Double = 20) throws -> AgentRecording {
            let agent = Agent(config: AgentConfig(targets: .pids([testee.pid]), hz: 99, kinds: kinds, unwind: unwind, durationSeconds: duration))
            try agent.start()
            testee.go()
            // The run ends when the testee exits (every target gone) or at `duration`.
            let recording = agent.finish()
            testee.waitForExit()
            return recording
        }

        @Test("CPU: >= 95% of the samples hold a -> b -> c and the trace id", .requiresRoot, arguments: [UnwindMode.fp, .dwarf, .auto])
        func cpuChainAndTraceID(unwind: UnwindMode) throws {
            try TestEnvironment.requireRoot()
            let testee = try Testee(["cpu", "3"])
            try testee.waitUntilReady()
            let recording = try Self.record(testee, kinds: [.cpu], unwind: unwind)
            let profile = try #require(recording.profile(.cpu))
            let samples = profile.samples.filter { $0.labels.pid == testee.pid }
            #expect(samples.count >= 30, "expected up to 300 samples in 3 s at 99 Hz (fewer when the CPU is shared): \(recording.stats.summary)")
            let chain = ["agent_testee.a(", "agent_testee.b(", "agent_testee.c("]
            let withChain = samples.filter { Self.containsInOrder(profile.frames(ofStack: $0.stackID).map(\.name), chain) }
            #expect(Double(withChain.count) >= 0.95 * Double(samples.count), "a -> b -> c in \(withChain.count) of \(samples.count) samples")
            let traced = samples.filter { $0.labels.traceID == Self.traceID && $0.labels.spanID == Self.spanID }
            print("agent [\(unwind.rawValue)] cpu: a -> b -> c in \(withChain.count) of \(samples.count) samples, trace id on \(traced.count)")
            #expect(Double(traced.count) >= 0.95 * Double(samples.count), "trace id on \(traced.count) of \(samples.count) samples")
            #expect(profile.metadata.unwindMode == unwind)
            #expect(recording.stats.exitedTargets == [testee.pid])
            if withChain.count < samples.count {
                let other = samples.first { !Self.containsInOrder(profile.frames(ofStack: $0.stackID).map(\.name), chain) }!
                print("a sample without the chain: \(profile.frames(ofStack: other.stackID).map(\.name).joined(separator: ";"))")
            }
        }

        /// The cheap memory profile: one sample every 64 page faults, each weighing 64.
        /// The testee touches a known number of fresh 4 KiB pages in one function: the weights under it
        /// must add up to that count, and the user stack must name it (no kernel frames: the fault handler).
        @Test("Page faults: the faults under touchPages add up to the pages it touched (within 10%)", .requiresRoot)
        func pageFaultsWeighTheirPeriods() throws {
            try TestEnvironment.requireRoot()
            let pages = 40_000  // 156 MiB in a fraction of a second: 625 samples at the default period
            let testee = try Testee(["touch", "\(pages)"])
            try testee.waitUntilReady()
            let agent = Agent(config: AgentConfig(targets: .pids([testee.pid]), kinds: [.faults], unwind: .fp, durationSeconds: 30))
            try agent.start()
            testee.go()
            let line = testee.readLine()
            let recording = agent.finish()
            testee.waitForExit()
            #expect(line == "touched \(pages)", "the testee printed \(line)")
            let profile = try #require(recording.profile(.faults))
            #expect(profile.metadata.kind == .faults && profile.metadata.valueUnit == .faults && profile.metadata.faultPeriod == 64)
            #expect(profile.samples.allSatisfy { $0.value == 64 })
            let inFunction = profile.samples.filter { sample in
                profile.frames(ofStack: sample.stackID).contains { $0.name.hasPrefix("agent_testee.touchPages(") }
            }
            let estimated = Double(inFunction.reduce(0) { $0 + $1.value })
            let total = Double(profile.totalValue)
            print(String(format: "agent page faults: %.0f estimated under touchPages from %d samples (of %d; %.0f faults in all) for %d pages touched",
                         estimated, inFunction.count, profile.samples.count, total, pages))
            #expect(inFunction.count >= 500, "\(recording.stats.summary)")
            #expect(abs(estimated / Double(pages) - 1) <= 0.10, "estimated \(estimated) faults for \(pages) pages: \(recording.stats.summary)")
            #expect(estimated >= 0.9 * total, "touchPages holds \(estimated) of \(total) estimated faults")
            #expect(!profile.frames.contains { $0.kind == .kernel }, "a fault's kernel stack is the handler: not recorded")
            #expect(recording.stats.faultSamples == profile.samples.count && recording.stats.totalDrops == 0, "\(recording.stats.summary)")
        }

        /// DWARF and auto only: the thread sleeps in glibc's clock_nanosleep, which has no frame pointer,
        /// so a frame-pointer walk skips its caller (see `offCPUWithFramePointersLosesTheCaller`).
        @Test("Off-CPU: >= 95% of 3 x 200 ms attributed to blockTwoHundredMilliseconds, with the trace id", .requiresRoot, arguments: [UnwindMode.dwarf, .auto])
        func offCPUBlockedTime(unwind: UnwindMode) throws {
            try TestEnvironment.requireRoot()
            let blocks = 3
            let testee = try Testee(["block", "\(blocks)"])
            try testee.waitUntilReady()
            let recording = try Self.record(testee, kinds: [.offcpu], unwind: unwind)
            let profile = try #require(recording.profile(.offcpu))
            let expected = Double(blocks) * 200e6
            let inFunction = profile.samples.filter { sample in
                profile.frames(ofStack: sample.stackID).contains { $0.name.hasPrefix("agent_testee.blockTwoHundredMilliseconds(") }
            }
            let attributed = Double(inFunction.reduce(0) { $0 + $1.value })
            print(String(format: "agent [%@] off-cpu: %.1f ms of %.0f ms attributed to blockTwoHundredMilliseconds", unwind.rawValue, attributed / 1e6, expected / 1e6))
            #expect(attributed >= 0.95 * expected, "attributed \(attributed / 1e6) ms of \(expected / 1e6) ms: \(recording.stats.summary)")
            // Off-CPU time runs from the switch out to the switch back in, so on a loaded machine it takes in the
            // wait for a CPU after each wake-up: the bound is the wall time the testee measured around its blocks.
            let line = testee.readLine()
            let wall = try #require(line.hasPrefix("blocked ") ? Double(line.dropFirst("blocked ".count)) : nil, "the testee printed \(line)") * 1e9
            #expect(attributed <= 1.02 * wall, "attributed \(attributed / 1e6) ms, more than the \(wall / 1e6) ms the testee spent blocking")
            let tracedValue = inFunction.filter { $0.labels.traceID == Self.traceID }.reduce(0) { $0 + $1.value }
            #expect(Double(tracedValue) >= 0.95 * attributed, "trace id on \(Double(tracedValue) / 1e6) ms of \(attributed / 1e6) ms")
            #expect(recording.stats.schedSwitchHook == "tp_btf")
        }

        /// The FP limitation, measured rather than hidden: the blocked time is all there, but the walk
        /// from frameless clock_nanosleep lands on the caller's caller.
        @Test(.requiresRoot) func offCPUWithFramePointersLosesTheCaller() throws {
            try TestEnvironment.requireRoot()
            let testee = try Testee(["block", "2"])
            try testee.waitUntilReady()
            let recording = try Self.record(testee, kinds: [.offcpu], unwind: .fp)
            let profile = try #require(recording.profile(.offcpu))
            let stacks = profile.samples.map { profile.frames(ofStack: $0.stackID).map(\.name) }
            let inCaller = zip(profile.samples, stacks).filter { _, names in
                names.contains { $0.hasPrefix("agent_testee.blockRepeatedly(") } && names.contains { $0.hasPrefix("clock_nanosleep") }
            }
            let value = Double(inCaller.reduce(0) { $0 + $1.0.value })
            #expect(value >= 0.95 * 400e6, "blocked time under blockRepeatedly: \(value / 1e6) ms of 400 ms; stacks: \(stacks.map { $0.joined(separator: ";") })")
            #expect(!stacks.joined().contains { $0.hasPrefix("agent_testee.blockTwoHundredMilliseconds(") })
            // The probe's own frames are not part of the blocked thread's kernel stack.
            #expect(!stacks.joined().contains { $0.hasPrefix("bpf_trace_run") })
        }
    }
}
