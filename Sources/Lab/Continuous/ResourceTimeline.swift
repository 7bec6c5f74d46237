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
                var last = (cpu: (try? ProcessCPU.liveThreadNanoseconds(pid: pid)) ?? 0, time: start)
                while !lock.withLock({ stopped }) {
                    Thread.sleep(forTimeInterval: interval)
                    guard let cpu = try? ProcessCPU.liveThreadNanoseconds(pid: pid), let rss = ProcessCPU.residentBytes(pid: pid) else { break }
                    let now = Date()
                    // Live threads' clocks (ns, not 10 ms ticks); a thread that exited takes its time
                    // with it, so a falling sum counts as no CPU rather than wrapping around.
                    let spent = cpu >= last.cpu ? cpu - last.cpu : 0
                    let rate = Double(spent) / 1e6 / max(now.timeIntervalSince(last.time), 1e-3)
                    last = (cpu, now)
                    lock.withLock { timeline.points.append(Point(seconds: now.timeIntervalSince(start), rssMiB: Double(rss) / 1_048_576, cpuMsPerSecond: rate)) }
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
