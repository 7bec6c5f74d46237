import LabRuntime
/// The periodic sweep's CPU time estimated from samples (hits / hz) against its measured time. This
/// does not depend on the rest of the service's load, so sessions with and without load compare.
/// The 95% interval is Poisson: hits ± 1.96·√hits, and 0 to 3 hits' worth when none was seen.
public struct SweepTimeEstimate: Sendable, Codable {
    public var hz: Int
    public var hits: Int
    public var seconds: Double
    public var trueNs: UInt64

    public init(hz: Int, hits: Int, seconds: Double, trueNs: UInt64) {
        self.hz = hz
        self.hits = hits
        self.seconds = seconds
        self.trueNs = trueNs
    }

    private var nsPerHit: Double { 1e9 / Double(hz) }
    public var estimatedNs: Double { Double(hits) * nsPerHit }
    public var lowerNs: Double { max(0, Double(hits) - 1.96 * Double(hits).squareRoot()) * nsPerHit }
    public var upperNs: Double { (hits == 0 ? 3 : Double(hits) + 1.96 * Double(hits).squareRoot()) * nsPerHit }
    /// Estimated / true time; 0 when the truth is 0.
    public var ratio: Double { trueNs == 0 ? 0 : estimatedNs / Double(trueNs) }
    /// Expected hits if sampling were unbiased.
    public var expectedHits: Double { Double(trueNs) / nsPerHit }
    public var under: Bool { upperNs < Double(trueNs) }
    public var over: Bool { lowerNs > Double(trueNs) }

    public var verdict: String { under ? "under-represented" : (over ? "over-represented" : "consistent") }

    /// Milliseconds of sweep per second of window, for charts.
    public func perSecond(_ ns: Double) -> Double { seconds > 0 ? ns / 1e6 / seconds : 0 }
}
