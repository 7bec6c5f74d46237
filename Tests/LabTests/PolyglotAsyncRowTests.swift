import Lab
import ProfileModel
import Testing

/// The async-route row's counting, on stacks shaped as the agent and perf give them (no BPF).
@Suite struct PolyglotAsyncRowTests {
    static let executor = [Frame(name: "start_thread", kind: .libc), Frame(name: "swift_job_run", module: "libswift_Concurrency.so", kind: .swiftRuntime)]
    static let hot = Frame(name: "static ShopService.AsyncPricing.ruleKernel(_: Swift.Double, salt: Swift.Int) -> Swift.Double", kind: .app)

    @Test func countsAgentStacksWithTheAsyncCallers() {
        var stacks = StackSamples()
        stacks.add(Self.executor + [
            Frame(name: "static ShopService.ShopRoutes.quoteRoute(rounds: Swift.Int, _: ShopService.Shop) async throws -> Response", kind: .swiftAsync),
            Frame(name: "static ShopService.AsyncPricing.quote(rounds: Swift.Int) async -> Swift.Double", kind: .swiftAsync),
            Frame(name: "static ShopService.AsyncPricing.applyRules(rounds: Swift.Int, base: Swift.Double) async -> Swift.Double", kind: .app),
            Self.hot,
        ], weight: 9)
        // Walker off: applyRules's running funclet only.
        stacks.add(Self.executor + [
            Frame(name: "(2) await resume partial function for static ShopService.AsyncPricing.applyRules(rounds: Swift.Int, base: Swift.Double) async -> Swift.Double", kind: .app),
            Self.hot,
        ], weight: 1)
        stacks.add(Self.executor, weight: 5)
        let row = PolyglotAsyncRow(setup: "flamelab fp +async", command: "", stacks: stacks)
        #expect(row.hotSamples == 10)
        #expect(row.withQuote == 9)
        #expect(row.withHandler == 9)
        #expect(row.quotePercent == 90)
        #expect(row.example?.contains("ShopService.AsyncPricing.quote [async]") == true)
    }

    @Test func readsPeersMangledNames() {
        var stacks = StackSamples()
        stacks.add(Self.executor + [
            Frame(name: "$s11ShopService12AsyncPricingO10applyRules6rounds4baseSdSi_SdtYaFZTY0_", kind: .app),
            Frame(name: "$s11ShopService12AsyncPricingO10ruleKernel_4saltS2d_SitFZ", kind: .app),
        ], weight: 4)
        let row = PolyglotAsyncRow(setup: "perf -g", command: "", stacks: stacks)
        #expect(row.hotSamples == 4)
        #expect(row.withQuote == 0)
        #expect(row.example?.contains("applyRules") == true)
    }
}
