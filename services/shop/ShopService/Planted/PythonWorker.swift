import CPythonBridge

/// The embedded CPython worker: recommendations.py running in this process on Debian's libpython3.11.
/// Any request thread may call it; the bridge takes the GIL per call.
public final class PythonWorker: Sendable {
    public struct PythonError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The interpreter's version, e.g. "3.11.2".
    public let version: String

    /// Starts the interpreter and imports recommendations.py from `directory`. Call once per process.
    public init(directory: String) throws {
        var err = [CChar](repeating: 0, count: 512)
        guard flamelab_py_start(directory, "recommendations", &err, err.count) == 0 else {
            throw PythonError(description: String(cString: err))
        }
        version = String(cString: flamelab_py_version())
    }

    /// One recommendation request of size `n`: score_candidates (~75%) then rank_features (~25%).
    @inline(never)
    public func recommend(size n: Int) throws -> Int64 {
        let counters = GroundTruthCounters.shared
        return try counters.measure(counters.recommend) {
            var result: Int64 = 0
            var err = [CChar](repeating: 0, count: 512)
            guard flamelab_py_call_long("recommend", Int64(n), &result, &err, err.count) == 0 else {
                throw PythonError(description: String(cString: err))
            }
            return result
        }
    }

    /// The answer recommendations.recommend(n) must give, computed independently in Swift, so that
    /// concurrent callers can check the worker's results.
    public static func expectedRecommendation(size n: Int) -> Int64 {
        let modulus: Int64 = 1_000_003
        func loop(_ count: Int) -> Int64 {
            var acc: Int64 = 0
            for i in 0..<Int64(count) { acc = (acc * 31 + i * 7) % modulus }
            return acc
        }
        return (loop(3 * n) + loop(n)) % modulus
    }
}
