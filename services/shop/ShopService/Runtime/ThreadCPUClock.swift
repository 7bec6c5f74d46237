#if canImport(Glibc)
import Glibc
#endif

/// Clocks read around a request's work: the calling thread's CPU time and the monotonic wall clock.
public enum ThreadCPUClock {
    /// CPU time consumed by the calling thread, in nanoseconds.
    @inline(__always)
    public static func threadCPUNanoseconds() -> UInt64 {
        read(CLOCK_THREAD_CPUTIME_ID)
    }

    /// Monotonic wall-clock nanoseconds.
    @inline(__always)
    public static func monotonicNanoseconds() -> UInt64 {
        read(CLOCK_MONOTONIC)
    }

    @inline(__always)
    private static func read(_ clock: clockid_t) -> UInt64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
