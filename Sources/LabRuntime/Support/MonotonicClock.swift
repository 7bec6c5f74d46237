import Foundation

/// CLOCK_MONOTONIC in nanoseconds: the clock the agent's sample times use (bpf_ktime_get_ns), so a
/// scenario can cut a capture out of the agent's windows by its own load's start and end.
public enum MonotonicClock {
    public static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
