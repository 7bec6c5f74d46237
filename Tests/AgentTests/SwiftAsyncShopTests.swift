import Agent
import Foundation
import LabRuntime
import ProfileModel
import FlamelabTesting
import Testing

extension AgentBPFTests {
    /// Real BPF against the shop's async route: `/quote` runs `ruleKernel` in `applyRules`, awaited by
    /// `quote`, awaited by the route handler, on Hummingbird's async handler path. Walker on: the hot
    /// samples name `quote` above `applyRules`; walker off: they do not (the before/after of issue 12).
    @Suite(.serialized)
    struct SwiftAsyncShopTests {
        static let port: UInt16 = 18_971
        static let hot = "ShopService.AsyncPricing.ruleKernel("
        static let callers = ["ShopService.AsyncPricing.quote(", "ShopService.AsyncPricing.applyRules("]

        /// Hot samples of `/quote` under load for `seconds`, and those naming `quote` then `applyRules`.
        static func measure(swiftAsync: Bool, pid: Int32, seconds: Double = 5) throws -> (hot: [[Frame]], withCallers: [[Frame]], stats: AgentRunStats) {
            let agent = Agent(config: AgentConfig(targets: .pids([pid]), hz: 99, kinds: [.cpu], unwind: .fp, python: .off,
                                                  durationSeconds: seconds, swiftAsync: swiftAsync))
            try agent.start()
            let recording = agent.finish()
            let profile = try #require(recording.profile(.cpu))
            let stacks = profile.samples.map { profile.frames(ofStack: $0.stackID) }
            let hot = stacks.filter { $0.contains { $0.name.contains(Self.hot) } }
            let withCallers = hot.filter { Self.containsInOrder($0.map(\.name), Self.callers) }
            return (hot, withCallers, recording.stats)
        }

        /// True when `names` hold each of `parts` (as substrings: static members demangle as `static X`), in order, root first.
        static func containsInOrder(_ names: [String], _ parts: [String]) -> Bool {
            var next = 0
            for name in names where next < parts.count && name.contains(parts[next]) { next += 1 }
            return next == parts.count
        }

        @Test("shop /quote: quote -> applyRules named in >= 90% of the hot samples with the walker, in none without", .requiresRoot)
        func quoteRouteBeforeAndAfter() throws {
            try TestEnvironment.requireRoot()
            let controller = ServiceController()
            let service = try controller.start(version: "v1", port: Self.port)
            defer { try? controller.stop(port: Self.port) }
            let load = LoadGenerator(options: LoadOptions(mode: .closed(connections: 2), durationSeconds: 60, mix: try RouteMix.parse("quote"), port: Self.port))
            let loading = Thread { _ = load.run() }
            loading.start()
            defer { load.stop() }
            Thread.sleep(forTimeInterval: 1)

            let on = try Self.measure(swiftAsync: true, pid: service.pid)
            print("shop /quote [walker on]: quote -> applyRules in \(on.withCallers.count) of \(on.hot.count) hot samples; \(on.stats.summary)")
            if let sample = on.withCallers.first {
                print("a hot sample: \(sample.map { $0.kind == .swiftAsync ? $0.displayName + " [async]" : $0.displayName }.joined(separator: ";"))")
            }
            if let other = on.hot.first(where: { !on.withCallers.map { $0.map(\.name) }.contains($0.map(\.name)) }) {
                print("a hot sample without the callers: \(other.map(\.displayName).joined(separator: ";"))")
            }
            #expect(on.hot.count >= 30, "hot samples: \(on.hot.count)")
            #expect(Double(on.withCallers.count) >= 0.9 * Double(on.hot.count), "quote -> applyRules in \(on.withCallers.count) of \(on.hot.count)")
            let handlerNamed = on.withCallers.filter { $0.contains { $0.name.contains("ShopService.ShopRoutes.quoteRoute(") } }
            print("shop /quote [walker on]: handler named in \(handlerNamed.count) of \(on.withCallers.count)")

            let off = try Self.measure(swiftAsync: false, pid: service.pid)
            print("shop /quote [walker off]: quote -> applyRules in \(off.withCallers.count) of \(off.hot.count) hot samples")
            #expect(off.hot.count >= 30, "hot samples: \(off.hot.count)")
            #expect(off.withCallers.isEmpty)
        }
    }
}
