import Agent
import Foundation
import LabRuntime

/// Ground truth from targeted instrumentation: uprobe/uretprobe pairs on roundToCents and on the
/// janitor's sweep, read beside the service's own counters over the same interval.
public struct UprobeTruthMeasurement: Sendable {
    public var seconds: Double

    public init(seconds: Double) {
        self.seconds = seconds
    }

    public struct FunctionResult: Sendable, Codable {
        public var function: String
        /// Every probed copy (the function and its specializations).
        public var demangledNames: [String]
        public var fileOffsets: [UInt64]
        public var uprobeCalls: UInt64
        public var uprobeNanoseconds: UInt64
        public var counterCalls: UInt64
        public var counterNanoseconds: UInt64
        /// Uprobe wall ns × on-CPU fraction / service CPU (the service CPU includes the probes' traps).
        public var uprobeShare: Double
        public var counterShare: Double
        public var uprobeNsPerCall: Double { uprobeCalls == 0 ? 0 : Double(uprobeNanoseconds) / Double(uprobeCalls) }
        public var counterNsPerCall: Double { counterCalls == 0 ? 0 : Double(counterNanoseconds) / Double(counterCalls) }
    }

    public struct Result: Sendable, Codable {
        public var window: GroundTruthWindow
        public var functions: [FunctionResult]
        public func function(_ name: String) -> FunctionResult? { functions.first { $0.function == name } }
    }

    public func run(pid: Int32, janitorTID: Int32?, connection: ShopClient) throws -> Result {
        let names = SamplingSession.watched
        let timers = try names.map { try UprobeTimer(pid: pid, functionName: $0) }
        defer { timers.forEach { $0.detach() } }
        let firstTotals = try timers.map { try $0.totals() }
        let first = try TruthSnapshot.read(pid: pid, janitorTID: janitorTID, connection: connection)
        Thread.sleep(forTimeInterval: seconds)
        let last = try TruthSnapshot.read(pid: pid, janitorTID: janitorTID, connection: connection)
        let lastTotals = try timers.map { try $0.totals() }
        let window = GroundTruthWindow(from: first, to: last)
        let sched = last.sched.delta(since: first.sched, thread: janitorTID)
        let cpu = Double(max(1, sched.processRunNs))
        let functions = names.indices.map { index -> FunctionResult in
            let probe = lastTotals[index].since(firstTotals[index])
            let counter = last.counters.delta(names[index], since: first.counters)
            // The janitor runs alone on its thread: its wall time needs no preemption scaling there.
            let fraction = index == 0 ? sched.otherOnCPUFraction : 1
            return FunctionResult(
                function: names[index], demangledNames: timers[index].functions.map(\.demangledName), fileOffsets: timers[index].functions.map(\.fileOffset),
                uprobeCalls: probe.calls, uprobeNanoseconds: probe.nanoseconds,
                counterCalls: counter.calls, counterNanoseconds: counter.nanoseconds,
                uprobeShare: Double(probe.nanoseconds) * fraction / cpu, counterShare: Double(counter.nanoseconds) * fraction / cpu
            )
        }
        return Result(window: window, functions: functions)
    }
}
