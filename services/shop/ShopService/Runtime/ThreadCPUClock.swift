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

    /// Nanoseconds the calling thread has waited on a run queue, runnable but not running
    /// (/proc/thread-self/schedstat, second field): the part of its wall time another thread or
    /// another VM took. 0 when the kernel does not say.
    public static func threadRunQueueNanoseconds() -> UInt64 {
        let fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 96)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return 0 }
        let fields = buffer[..<count].split(separator: UInt8(ascii: " "))
        guard fields.count >= 2 else { return 0 }
        return UInt64(String(decoding: fields[1], as: UTF8.self)) ?? 0
    }

    @inline(__always)
    private static func read(_ clock: clockid_t) -> UInt64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
