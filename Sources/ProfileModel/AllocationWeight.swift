import Foundation

/// What one sampled allocation stands for under Poisson byte sampling at mean rate R (Go's
/// `scaleHeapSample`): an allocation of `s` bytes is sampled with probability `p = 1 - exp(-s/R)`, so
/// it stands for `1/p` allocations and `s/p` bytes. Summed over samples, both are unbiased.
public struct AllocationWeight: Equatable, Sendable {
    /// Estimated allocations (at least 1).
    public var objects: Double
    /// Estimated bytes.
    public var bytes: Double

    /// The weight of a sampled allocation of `size` bytes at mean rate `rateBytes` (1 or less:
    /// every allocation is sampled, weight 1).
    public init(size: UInt64, rateBytes: UInt64) {
        guard rateBytes > 1, size > 0 else {
            objects = 1
            bytes = Double(size)
            return
        }
        // -expm1(-x) = 1 - exp(-x) without cancellation for small x (64 B at 512 KiB: x = 1.2e-4).
        let probability = -expm1(-Double(size) / Double(rateBytes))
        objects = 1 / probability
        bytes = Double(size) / probability
    }

    /// The quantile table BPF draws countdowns from: entry i is `-ln((i + 0.5) / count)` in fixed
    /// point (`2^shift`), so a uniform index gives an exponential draw of mean ~1.
    public static func exponentialTable(count: Int, shift: Int) -> [UInt32] {
        (0..<count).map { i in
            UInt32((-log((Double(i) + 0.5) / Double(count)) * Double(1 << shift)).rounded())
        }
    }
}
