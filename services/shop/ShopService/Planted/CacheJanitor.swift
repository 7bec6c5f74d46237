import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The periodic sub-interval function: every 10 ms a timer thread runs a short sweep. A sampler at
/// exactly 100 Hz can phase-lock with it (always or never hitting it); a prime rate cannot.
/// `@unchecked Sendable`: `running` is written once (stop) and read by the janitor thread; a torn read only delays the stop by a sweep.
public final class CacheJanitor: @unchecked Sendable {
    public let period: UInt64 = 10_000_000
    private let workIterations: Int
    private var running = true

    /// `workIterations` sets the sweep's length (~1 ms at the default on this machine kind).
    public init(workIterations: Int = 3_600_000) {
        self.workIterations = workIterations
    }

    public func start() {
        let thread = Thread { [self] in loop() }
        thread.name = "cache-janitor"
        thread.start()
    }

    private func loop() {
        var next = timespec()
        clock_gettime(CLOCK_MONOTONIC, &next)
        while running {
            advance(&next, by: period)
            while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nil) == EINTR {}
            let counters = GroundTruthCounters.shared
            _ = counters.measure(counters.sweepExpiredEntries) { CacheJanitor.sweepExpiredEntries(iterations: workIterations) }
        }
    }

    /// The sweep itself: a short, fixed amount of CPU work.
    @inline(never)
    public static func sweepExpiredEntries(iterations: Int) -> UInt64 {
        var acc: UInt64 = 1
        for i in 0..<iterations {
            acc = acc &* 2862933555777941757 &+ UInt64(truncatingIfNeeded: i)
        }
        return acc
    }

    private func advance(_ ts: inout timespec, by ns: UInt64) {
        let total = UInt64(ts.tv_nsec) + ns
        ts.tv_sec += Int(total / 1_000_000_000)
        ts.tv_nsec = Int(total % 1_000_000_000)
    }
}
