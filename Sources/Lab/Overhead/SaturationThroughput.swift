import Foundation
import LabRuntime

/// Closed-loop checkout throughput with flamelab (99 Hz, fp, `lab record`) off and on, in ABBA order.
struct SaturationThroughput {
    struct Result: Codable {
        var offRequestsPerSecond: [Double]
        var onRequestsPerSecond: [Double]
        /// Median of on/off - 1 over the pairs.
        var change: Double
    }

    var port: UInt16
    var seconds: Double
    var pairs: Int
    var paths: LabPaths

    func measure(pid: Int32, progress: ProgressLine?) throws -> Result {
        let options = LoadOptions(mode: .closed(connections: 16), durationSeconds: seconds, mix: try RouteMix.parse("checkout"), port: port)
        var off: [Double] = [], on: [Double] = []
        for pair in 0..<pairs {
            progress?.update("overhead: throughput at saturation, pair \(pair + 1)/\(pairs)")
            for profiled in pair % 2 == 0 ? [false, true] : [true, false] {
                let profiler = profiled ? try ProfilerUnderTest.attach(.flamelab(99, .fp), pid: pid, paths: paths) : nil
                let result = LoadGenerator(options: options).run()
                _ = try profiler?.stop()
                let rate = Double(result.records.filter { !$0.isError }.count) / max(result.seconds, 1e-9)
                if profiled { on.append(rate) } else { off.append(rate) }
            }
        }
        let change = Statistics.median(zip(on, off).map { $0 / max($1, 1e-9) - 1 }) ?? 0
        return Result(offRequestsPerSecond: off, onRequestsPerSecond: on, change: change)
    }
}
