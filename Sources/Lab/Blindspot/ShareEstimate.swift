import Foundation
import LabRuntime

/// A sampled share: `hits` of `samples` had the function on the stack, with the normal-approximation
/// 95% interval p ± 1.96·sqrt(p(1-p)/n) (clamped to [0, 1]). With p = 0 or 1 that interval has zero
/// width: a reader must look at n, which is why n is always reported beside it.
public struct ShareEstimate: Sendable, Codable, Equatable {
    public var hits: Int
    public var samples: Int

    public init(hits: Int, samples: Int) {
        self.hits = hits
        self.samples = samples
    }

    public var share: Double { samples == 0 ? 0 : Double(hits) / Double(samples) }

    public var halfWidth: Double {
        guard samples > 0 else { return 1 }
        let p = share
        return 1.96 * (p * (1 - p) / Double(samples)).squareRoot()
    }

    public var lower: Double { max(0, share - halfWidth) }
    public var upper: Double { min(1, share + halfWidth) }

    /// Whether the interval, widened by `tolerance`, contains `value`.
    public func covers(_ value: Double, tolerance: Double = 0) -> Bool {
        samples > 0 && value >= lower - tolerance && value <= upper + tolerance
    }
}
