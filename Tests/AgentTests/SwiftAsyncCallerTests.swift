import Agent
import Foundation
import ProfileModel
import FlamelabTesting
import Testing

extension AgentBPFTests {
    /// Real BPF against agent-testee's async mode: c runs in asyncB, awaited by asyncA, awaited by
    /// asyncHandler. Only the walker (the async context chain read at sample time) can name asyncA and
    /// asyncHandler: they are not on the machine stack. Before/after: walker on, then off.
    @Suite(.serialized)
    struct SwiftAsyncCallerTests {
        static let chain = ["agent_testee.asyncHandler(", "agent_testee.asyncA(", "agent_testee.asyncB(", "agent_testee.c("]

        /// CPU samples of the testee whose leaf part is in c (the hot function), with their frames.
        static func hotStacks(swiftAsync: Bool, unwind: UnwindMode = .fp) throws -> (stacks: [[Frame]], stats: AgentRunStats) {
            let testee = try Testee(["async", "3"])
            try testee.waitUntilReady()
            let agent = Agent(config: AgentConfig(targets: .pids([testee.pid]), hz: 99, kinds: [.cpu], unwind: unwind,
                                                  durationSeconds: 20, swiftAsync: swiftAsync))
            try agent.start()
            testee.go()
            let recording = agent.finish()
            testee.waitForExit()
            let profile = try #require(recording.profile(.cpu))
            let stacks = profile.samples.filter { $0.labels.pid == testee.pid }.map { profile.frames(ofStack: $0.stackID) }
            return (stacks.filter { $0.contains { $0.name.hasPrefix("agent_testee.c(") } }, recording.stats)
        }

        static func names(_ frames: [Frame]) -> [String] { frames.map(\.name) }

        @Test("Walker on: >= 90% of the hot samples read asyncHandler -> asyncA -> asyncB -> c, the callers marked async", .requiresRoot,
              arguments: [UnwindMode.fp, .dwarf, .auto])
        func walkerOnNamesTheAsyncCallers(unwind: UnwindMode) throws {
            try TestEnvironment.requireRoot()
            let (stacks, stats) = try Self.hotStacks(swiftAsync: true, unwind: unwind)
            #expect(stacks.count >= 30, "hot samples: \(stacks.count); \(stats.summary)")
            let withChain = stacks.filter { AgentRecordingTests.containsInOrder(Self.names($0), Self.chain) }
            print("swift async [on, \(unwind.rawValue)]: asyncHandler -> asyncA -> asyncB -> c in \(withChain.count) of \(stacks.count) hot samples; \(stats.summary)")
            #expect(Double(withChain.count) >= 0.9 * Double(stacks.count), "chain in \(withChain.count) of \(stacks.count)")
            if let other = stacks.first(where: { !AgentRecordingTests.containsInOrder(Self.names($0), Self.chain) }) {
                print("a hot sample without the chain: \(Self.names(other).joined(separator: ";"))")
            }
            // The recovered callers are marked, and sit above the executor (its frames stay at the root).
            let sample = try #require(withChain.first)
            print("a hot sample with the chain: \(sample.map { $0.kind == .swiftAsync ? $0.displayName + " [async]" : $0.displayName }.joined(separator: ";"))")
            let callerA = try #require(sample.firstIndex { $0.name.hasPrefix("agent_testee.asyncA(") })
            #expect(sample[callerA].kind == .swiftAsync)
            let executor = sample.firstIndex { $0.name.hasPrefix("swift_job_run") }
            if let executor { #expect(executor < callerA, "executor frames root-side of the async callers: \(Self.names(sample))") }
            // Runtime completion plumbing is not shown as a caller.
            #expect(!sample.contains { $0.kind == .swiftAsync && $0.name.hasPrefix("completeTask") })
            #expect(stats.swiftAsyncProcessCount == 1)
        }

        @Test("Walker off: asyncA and asyncHandler are missing from the hot samples", .requiresRoot)
        func walkerOffLosesTheAsyncCallers() throws {
            try TestEnvironment.requireRoot()
            let (stacks, stats) = try Self.hotStacks(swiftAsync: false)
            #expect(stacks.count >= 30, "hot samples: \(stacks.count); \(stats.summary)")
            let withCaller = stacks.filter { $0.contains { $0.name.hasPrefix("agent_testee.asyncA(") || $0.name.hasPrefix("agent_testee.asyncHandler(") } }
            print("swift async [off]: asyncA or asyncHandler in \(withCaller.count) of \(stacks.count) hot samples")
            #expect(withCaller.isEmpty)
            #expect(!stacks.joined().contains { $0.kind == .swiftAsync })
        }
    }
}
