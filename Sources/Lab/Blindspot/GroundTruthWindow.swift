import LabRuntime
/// The measured truth over one interval: each watched function's share of the service's CPU.
public struct GroundTruthWindow: Sendable, Codable {
    public var startNs: UInt64
    public var endNs: UInt64
    /// Service CPU over the interval (all threads, schedstat).
    public var processCPUNs: UInt64
    /// roundToCents: counter wall ns / service CPU.
    public var taxShareRaw: Double
    /// roundToCents: counter wall ns × on-CPU fraction of the non-janitor threads / service CPU.
    public var taxShare: Double
    public var taxCalls: UInt64
    /// sweepExpiredEntries: min(counter wall ns, janitor thread CPU) / service CPU. A sweep is short, so
    /// its wall time is its CPU time unless preempted; the thread's CPU (which also holds its wake-ups
    /// and sleeps' kernel time) bounds it from above.
    public var janitorShare: Double
    /// The janitor thread's CPU / service CPU (schedstat).
    public var janitorThreadShare: Double
    /// sweepExpiredEntries: counter wall ns / service CPU.
    public var janitorShareCounters: Double
    public var janitorCalls: UInt64
    /// sweepExpiredEntries: its time over the interval, min(counter wall ns, janitor thread CPU).
    public var janitorNs: UInt64
    public var janitorMeanMs: Double
    /// Non-janitor threads: run / (run + run-queue wait).
    public var onCPUFraction: Double

    public var seconds: Double { Double(endNs &- startNs) / 1e9 }

    public static let taxCounter = "TaxCalculator.roundToCents"
    public static let janitorCounter = "CacheJanitor.sweepExpiredEntries"

    public init(from a: TruthSnapshot, to b: TruthSnapshot) {
        let sched = b.sched.delta(since: a.sched, thread: b.janitorTID)
        let tax = b.counters.delta(Self.taxCounter, since: a.counters)
        let janitor = b.counters.delta(Self.janitorCounter, since: a.counters)
        let cpu = Double(max(1, sched.processRunNs))
        startNs = a.monotonicNs
        endNs = b.monotonicNs
        processCPUNs = sched.processRunNs
        onCPUFraction = sched.otherOnCPUFraction
        taxCalls = tax.calls
        taxShareRaw = Double(tax.nanoseconds) / cpu
        taxShare = Double(tax.nanoseconds) * sched.otherOnCPUFraction / cpu
        janitorCalls = janitor.calls
        janitorShare = Double(min(sched.namedRunNs, janitor.nanoseconds)) / cpu
        janitorThreadShare = Double(sched.namedRunNs) / cpu
        janitorNs = min(sched.namedRunNs, janitor.nanoseconds)
        janitorShareCounters = Double(janitor.nanoseconds) / cpu
        janitorMeanMs = janitor.calls == 0 ? 0 : Double(janitor.nanoseconds) / Double(janitor.calls) / 1e6
    }
}

/// The service's state at one instant: thread CPU times and its counters.
public struct TruthSnapshot: Sendable, Codable {
    public var monotonicNs: UInt64
    public var sched: ThreadSchedSnapshot
    public var counters: ShopCounterSnapshot
    public var janitorTID: Int32?

    /// Reads the counters first, then the threads, and stamps the middle.
    public static func read(pid: Int32, janitorTID: Int32?, connection: ShopClient) throws -> TruthSnapshot {
        let before = MonotonicClock.nanoseconds()
        let counters = try connection.counters()
        let sched = try ThreadSchedSnapshot.read(pid: pid)
        return TruthSnapshot(monotonicNs: before / 2 + MonotonicClock.nanoseconds() / 2, sched: sched, counters: counters, janitorTID: janitorTID)
    }
}
