import Agent
import Foundation
import ProfileModel
import LabRuntime

/// One recording: an agent per rate, all sampling the service at once (so every rate sees the same
/// work), with a ground-truth snapshot at every window boundary.
public struct SamplingSession: Sendable {
    public var rates: [Int]
    public var windows: Int
    public var windowSeconds: Double

    public init(rates: [Int], windows: Int, windowSeconds: Double) {
        self.rates = rates
        self.windows = windows
        self.windowSeconds = windowSeconds
    }

    /// What one session measured.
    public struct Result: Sendable, Codable {
        public struct RateResult: Sendable, Codable {
            public var hz: Int
            public var totalSamples: Int
            /// Per short window, per watched function (tax, janitor).
            public var taxWindows: [ShareEstimate]
            public var janitorWindows: [ShareEstimate]
            /// Per single request of the load (against the whole session's truth).
            public var taxRequests: [ShareEstimate]
            /// The whole session as one long window.
            public var tax: ShareEstimate
            public var janitor: ShareEstimate
        }
        public var windows: [GroundTruthWindow]
        public var whole: GroundTruthWindow
        public var rates: [RateResult]

        public func rate(_ hz: Int) -> RateResult? { rates.first { $0.hz == hz } }
    }

    public static let watched = [GroundTruthWindow.taxCounter, GroundTruthWindow.janitorCounter]

    /// `requests` gives the load's single requests within [start, end), read after the recording.
    public func run(pid: Int32, janitorTID: Int32?, connection: ShopClient,
                    requests: ((UInt64, UInt64) -> [RequestWindow])? = nil) throws -> Result {
        var agents: [Agent] = []
        defer { for agent in agents { agent.requestStop() } }
        for hz in rates {
            let agent = Agent(config: AgentConfig(targets: .pids([pid]), hz: hz, kinds: [.cpu], unwind: .fp, python: .off, durationSeconds: nil))
            try agent.start()
            agents.append(agent)
        }
        var snapshots = [try TruthSnapshot.read(pid: pid, janitorTID: janitorTID, connection: connection)]
        for _ in 0..<windows {
            let due = snapshots[snapshots.count - 1].monotonicNs + UInt64(windowSeconds * 1e9)
            let now = MonotonicClock.nanoseconds()
            if due > now { Thread.sleep(forTimeInterval: Double(due - now) / 1e9) }
            snapshots.append(try TruthSnapshot.read(pid: pid, janitorTID: janitorTID, connection: connection))
        }
        for agent in agents { agent.requestStop() }
        let recordings = agents.map { $0.finish() }
        agents.removeAll()
        let truths = zip(snapshots, snapshots.dropFirst()).map { GroundTruthWindow(from: $0, to: $1) }
        let whole = GroundTruthWindow(from: snapshots[0], to: snapshots[snapshots.count - 1])
        let requestWindows = requests?(whole.startNs, whole.endNs) ?? []
        let rateResults = zip(rates, recordings).map { hz, recording -> Result.RateResult in
            let timeline = recording.profile(.cpu).map { SampleTimeline(profile: $0, pid: pid, functions: Self.watched) }
            var result = Self.estimates(hz: hz, timeline: timeline, truths: truths, whole: whole)
            result.taxRequests = requestWindows.map { timeline?.estimate(function: 0, from: $0.startNs, to: $0.endNs) ?? ShareEstimate(hits: 0, samples: 0) }
            return result
        }
        return Result(windows: truths, whole: whole, rates: rateResults)
    }

    private static func estimates(hz: Int, timeline: SampleTimeline?, truths: [GroundTruthWindow], whole: GroundTruthWindow) -> Result.RateResult {
        let empty = ShareEstimate(hits: 0, samples: 0)
        func estimate(_ function: Int, _ window: GroundTruthWindow) -> ShareEstimate {
            timeline?.estimate(function: function, from: window.startNs, to: window.endNs) ?? empty
        }
        return Result.RateResult(
            hz: hz, totalSamples: timeline?.times.count ?? 0,
            taxWindows: truths.map { estimate(0, $0) }, janitorWindows: truths.map { estimate(1, $0) }, taxRequests: [],
            tax: estimate(0, whole), janitor: estimate(1, whole)
        )
    }
}
