import Foundation
import LabRuntime

/// The agent's resident memory and CPU over a soak, sampled from /proc every few seconds.
struct ResourceTimeline: Codable, Sendable {
    struct Point: Codable, Sendable {
        var seconds: Double
        var rssMiB: Double
        /// CPU since the previous point, ms per second.
        var cpuMsPerSecond: Double
    }

    var points: [Point] = []

    /// The least-squares slope of RSS over the points after `warmUpSeconds`, MiB per 10 minutes.
    func rssSlopePerTenMinutes(after warmUpSeconds: Double) -> Double? {
        let steady = points.filter { $0.seconds >= warmUpSeconds }
        guard steady.count >= 3 else { return nil }
        let n = Double(steady.count)
        let mx = steady.map(\.seconds).reduce(0, +) / n, my = steady.map(\.rssMiB).reduce(0, +) / n
        let sxx = steady.reduce(0) { $0 + ($1.seconds - mx) * ($1.seconds - mx) }
        guard sxx > 0 else { return nil }
        let sxy = steady.reduce(0) { $0 + ($1.seconds - mx) * ($1.rssMiB - my) }
        return sxy / sxx * 600
    }

    /// Mean CPU over the points after `warmUpSeconds`, ms per second.
    func meanCPU(after warmUpSeconds: Double) -> Double? {
        Statistics.mean(points.filter { $0.seconds >= warmUpSeconds }.map(\.cpuMsPerSecond))
    }

    /// Samples `pid` every `interval` seconds until `stop()` says so, from a thread of its own.
    final class Recorder: @unchecked Sendable {
        /// `@unchecked Sendable`: `timeline` and `stopped` are behind `lock`.
        private let lock = NSLock()
        private var timeline = ResourceTimeline()
        private var stopped = false

        func start(pid: Int32, interval: Double) {
            let thread = Thread { [self] in
                let start = Date()
                var meter = ProcessUsageMeter(pid: pid)
                while !lock.withLock({ stopped }) {
                    Thread.sleep(forTimeInterval: interval)
                    guard let usage = meter.read() else { break }
                    let point = Point(seconds: Date().timeIntervalSince(start), rssMiB: Double(usage.rssBytes) / 1_048_576, cpuMsPerSecond: usage.cpuMsPerSecond)
                    lock.withLock { timeline.points.append(point) }
                }
            }
            thread.name = "lab-continuous-resources"
            thread.start()
        }

        func stop() -> ResourceTimeline {
            lock.withLock {
                stopped = true
                return timeline
            }
        }
    }
}
