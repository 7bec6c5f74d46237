import ProfileModel
import Agent
import Foundation
import LabRuntime

/// What the uprobe pair on roundToCents costs the service: CPU per `/tax` request with the probes
/// attached and detached, in interleaved repetitions (off, on, off, on ...), no other load.
public struct UprobeCostMeasurement: Sendable {
    public var repetitions: Int
    public var requestsPerRepetition: Int
    public var lines: Int

    public init(repetitions: Int, requestsPerRepetition: Int, lines: Int) {
        self.repetitions = repetitions
        self.requestsPerRepetition = requestsPerRepetition
        self.lines = lines
    }

    public struct Repetition: Sendable, Codable {
        public var index: Int
        public var probes: Bool
        /// CPU of the service's non-janitor threads per request (schedstat).
        public var cpuMsPerRequest: Double
        public var wallMsPerRequest: Double
        public var probedCalls: UInt64
    }

    public struct Result: Sendable, Codable {
        public var lines: Int
        public var repetitions: [Repetition]
        /// Per repetition pair: (on - off) CPU per request / lines.
        public var costPerCallNs: [Double]
        public var costPerCallNsMedian: Double
        public var cpuPerRequestRatioMedian: Double
    }

    public func run(pid: Int32, janitorTID: Int32?, port: UInt16) throws -> Result {
        let connection = HTTPClientConnection(port: port)
        defer { connection.disconnect() }
        _ = try connection.send(path: "/tax?lines=\(lines)") // warm the connection and the code
        var reps: [Repetition] = []
        for index in 0..<repetitions {
            // Alternate which goes first so drift in machine load does not favour one side.
            let order = index % 2 == 0 ? [false, true] : [true, false]
            for probes in order { reps.append(try repetition(index: index, probes: probes, pid: pid, janitorTID: janitorTID, connection: connection)) }
        }
        var costs: [Double] = []
        var ratios: [Double] = []
        for index in 0..<repetitions {
            let pair = reps.filter { $0.index == index }
            guard let off = pair.first(where: { !$0.probes }), let on = pair.first(where: { $0.probes }) else { continue }
            costs.append((on.cpuMsPerRequest - off.cpuMsPerRequest) * 1e6 / Double(lines))
            ratios.append(on.cpuMsPerRequest / max(1e-9, off.cpuMsPerRequest))
        }
        return Result(lines: lines, repetitions: reps, costPerCallNs: costs,
                      costPerCallNsMedian: Statistics.median(costs) ?? 0, cpuPerRequestRatioMedian: Statistics.median(ratios) ?? 0)
    }

    private func repetition(index: Int, probes: Bool, pid: Int32, janitorTID: Int32?, connection: HTTPClientConnection) throws -> Repetition {
        let timer: UprobeTimer? = try probes ? UprobeTimer(pid: pid, functionName: GroundTruthWindow.taxCounter) : nil
        defer { timer?.detach() }
        let before = try ThreadSchedSnapshot.read(pid: pid)
        for _ in 0..<requestsPerRepetition {
            let response = try connection.send(path: "/tax?lines=\(lines)")
            guard response.status == 200 else { throw FlamelabError("failed to measure the uprobe cost: /tax answered HTTP \(response.status)") }
        }
        let after = try ThreadSchedSnapshot.read(pid: pid)
        let delta = after.delta(since: before, thread: janitorTID)
        let requests = Double(requestsPerRepetition)
        var probed: UInt64 = 0
        if let timer { probed = try timer.totals().calls }
        return Repetition(index: index, probes: probes, cpuMsPerRequest: Double(delta.otherRunNs) / 1e6 / requests,
                          wallMsPerRequest: Double(after.monotonicNs - before.monotonicNs) / 1e6 / requests,
                          probedCalls: probed)
    }
}
