/// The compute hotspot: a naive quadratic bundle-discount rule that dominates a pricing request's CPU.
public enum PricingEngine {
    /// Prices a basket of `itemCount` items. Cost grows with itemCount squared.
    @inline(never)
    public static func quoteBasket(itemCount: Int, seed: UInt64) -> Double {
        let prices = catalogPrices(count: itemCount, seed: seed)
        let discount = GroundTruthCounters.shared.measure(GroundTruthCounters.shared.quoteBasket) {
            applyPairwiseBundleDiscounts(prices: prices)
        }
        return prices.reduce(0, +) - discount
    }

    /// Every pair of items is checked against a bundle rule: O(n^2), the planted hot function.
    @inline(never)
    public static func applyPairwiseBundleDiscounts(prices: [Double]) -> Double {
        var discount = 0.0
        for i in 0..<prices.count {
            let a = prices[i]
            for j in (i + 1)..<max(i + 1, prices.count) {
                let b = prices[j]
                // Items whose prices are "close" form a bundle; the rule is deliberately branchy.
                let gap = abs(a - b)
                if gap < 3.0 { discount += min(a, b) * 0.01 } else if gap > 90.0 { discount += 0.001 }
            }
        }
        return discount
    }

    @inline(never)
    static func catalogPrices(count: Int, seed: UInt64) -> [Double] {
        var state = seed | 1
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double((state >> 40) % 10_000) / 100.0
        }
    }
}
