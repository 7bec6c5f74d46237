import Foundation

/// Monotonic seconds for measuring intervals (never the wall clock, which can jump).
public enum ThreadClock {
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
