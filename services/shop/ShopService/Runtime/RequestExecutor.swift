import NIOPosix

/// Runs a request's work on a dedicated thread pool, with the request's trace context published on
/// that thread, and measures the work's thread CPU time against its wall time.
///
/// Why a pool: the planted blocking call must block a real thread without stalling the event loops,
/// and a profiler must see the request's whole work on one thread with its trace id.
public final class RequestExecutor: Sendable {
    /// What one request's work cost.
    public struct Timing: Sendable {
        public var cpuNanoseconds: UInt64
        public var wallNanoseconds: UInt64
        /// Of the wall time, how long the thread waited on a run queue (preempted, not blocked).
        public var runQueueNanoseconds: UInt64
    }

    private let pool: NIOThreadPool

    public init(threads: Int) {
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
    }

    /// Runs `work` on a pool thread under `context`; returns its result and timing.
    public func run<T: Sendable>(_ context: TraceContext, _ work: @Sendable @escaping () throws -> T) async throws -> (T, Timing) {
        try await pool.runIfActive {
            let queued0 = ThreadCPUClock.threadRunQueueNanoseconds()
            let cpu0 = ThreadCPUClock.threadCPUNanoseconds()
            let wall0 = ThreadCPUClock.monotonicNanoseconds()
            let value = try ThreadTraceContext.with(context, work)
            let timing = Timing(cpuNanoseconds: ThreadCPUClock.threadCPUNanoseconds() - cpu0,
                                wallNanoseconds: ThreadCPUClock.monotonicNanoseconds() - wall0,
                                runQueueNanoseconds: ThreadCPUClock.threadRunQueueNanoseconds() &- queued0)
            return (value, timing)
        }
    }

    public func shutdown() async throws {
        try await pool.shutdownGracefully()
    }
}
