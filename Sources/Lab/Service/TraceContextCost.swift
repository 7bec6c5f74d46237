import CTraceContext
import LabRuntime

/// What publishing the trace context costs: set + clear on the calling thread, against an empty loop,
/// interleaved repetitions; reported as nanoseconds per request (one set + clear per request).
public enum TraceContextCost {
    public struct Result: Codable, Sendable {
        public var nanosecondsPerRequestMedian: Double
        public var nanosecondsPerRequestMin: Double
        public var nanosecondsPerRequestMax: Double
        public var iterationsPerRepetition: Int
        public var repetitions: Int
    }

    public static func measure(iterations: Int = 2_000_000, repetitions: Int = 7) -> Result {
        var trace = [UInt8](repeating: 0xab, count: 16)
        var span = [UInt8](repeating: 0xcd, count: 8)
        var costs: [Double] = []
        for _ in 0..<repetitions {
            let baseline = time(iterations) { i in trace[0] = UInt8(truncatingIfNeeded: i) }
            let published = time(iterations) { i in
                trace[0] = UInt8(truncatingIfNeeded: i)
                flamelab_trace_context_set(&trace, &span)
                flamelab_trace_context_clear()
            }
            costs.append((published - baseline) / Double(iterations) * 1e9)
        }
        flamelab_trace_context_clear()
        return Result(nanosecondsPerRequestMedian: Statistics.median(costs) ?? 0, nanosecondsPerRequestMin: costs.min() ?? 0,
                      nanosecondsPerRequestMax: costs.max() ?? 0, iterationsPerRepetition: iterations, repetitions: repetitions)
    }

    private static func time(_ iterations: Int, _ body: (Int) -> Void) -> Double {
        let start = ThreadClock.now()
        for i in 0..<iterations { body(i) }
        return ThreadClock.now() - start
    }
}
