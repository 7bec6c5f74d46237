/// The async route's work: a quote computed two awaits below the HTTP handler, on Swift's concurrency
/// executor (not the request pool). `handler -> await quote -> await applyRules -> ruleKernel`: on the
/// machine stack only `applyRules`'s running funclet sits above the executor; `quote` and the handler
/// exist only as async contexts, which is what the agent's Swift async walker recovers.
///
/// Every function is `@inline(never)` and each async one suspends for real (`Task.yield()`), so the
/// compiler keeps them as separate async functions, each split into funclets.
public enum AsyncPricing {
    /// A quote over `rounds` rounds of pricing rules.
    @inline(never)
    public static func quote(rounds: Int) async -> Double {
        await Task.yield()
        let adjusted = await applyRules(rounds: rounds, base: 19.99)
        return (adjusted * 100).rounded() / 100
    }

    /// The rules: `rounds` slices of CPU work, yielding to the executor between slices like a
    /// cooperative async function should.
    @inline(never)
    public static func applyRules(rounds: Int, base: Double) async -> Double {
        var price = base
        for round in 0..<rounds {
            price = ruleKernel(price, salt: round)
            await Task.yield()
        }
        return price
    }

    /// The hot loop: a fixed amount of floating-point work per round (about 50 us in a release build).
    @inline(never)
    public static func ruleKernel(_ price: Double, salt: Int) -> Double {
        var value = price
        var step = 0
        while step < 20_000 {
            value = value * 1.000_000_1 + Double((salt &+ step) & 7) * 1e-9
            step &+= 1
        }
        return value
    }
}
