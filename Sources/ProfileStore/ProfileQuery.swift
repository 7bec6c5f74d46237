import ProfileModel

/// Selects samples to merge into one profile: first the runs (as `RunFilter`), then, within
/// them, samples by trace id and time. Every field left nil matches everything.
public struct ProfileQuery: Hashable, Sendable {
    /// Which runs to read.
    public var runs: RunFilter
    /// Only samples carrying one of these trace ids.
    public var traceIDs: [TraceID]?
    /// Only samples whose timestamp lies in this window, in the samples' own clock
    /// (`SampleLabels.timestampNs`, CLOCK_MONOTONIC as the agent records it).
    public var sampleTimeNs: ClosedRange<UInt64>?

    public init(runs: RunFilter = RunFilter(), traceIDs: [TraceID]? = nil, sampleTimeNs: ClosedRange<UInt64>? = nil) {
        self.runs = runs
        self.traceIDs = traceIDs
        self.sampleTimeNs = sampleTimeNs
    }

    /// A query for the given runs, optionally narrowed to trace ids.
    public static func runs(_ ids: [RunID], traceIDs: [TraceID]? = nil) -> ProfileQuery {
        ProfileQuery(runs: RunFilter(ids: ids), traceIDs: traceIDs)
    }
}
