/// Selects samples of a profile by trace id, time window and profile kind.
///
/// Every condition that is set must hold. The result is a new, compact profile holding only the
/// frames and stacks its samples use; an empty result is a valid profile with no samples (callers
/// say "no samples match", they do not fail).
public struct ProfileFilter: Sendable, Equatable {
    /// Keep samples whose trace id is one of these; nil keeps all.
    public var traceIDs: Set<TraceID>?
    /// Keep samples whose `timestampNs` lies in this window; samples without a time are dropped.
    public var timeWindowNs: ClosedRange<UInt64>?
    /// Keep the profile only if it is of this kind; otherwise the result has no samples.
    public var kind: ProfileKind?

    public init(traceIDs: Set<TraceID>? = nil, timeWindowNs: ClosedRange<UInt64>? = nil, kind: ProfileKind? = nil) {
        self.traceIDs = traceIDs
        self.timeWindowNs = timeWindowNs
        self.kind = kind
    }

    /// True when `sample` passes the trace-id and time conditions.
    public func matches(_ sample: Sample) -> Bool {
        if let traceIDs {
            guard let id = sample.labels.traceID, traceIDs.contains(id) else { return false }
        }
        if let window = timeWindowNs {
            guard let time = sample.labels.timestampNs, window.contains(time) else { return false }
        }
        return true
    }

    /// The samples of `profile` that pass, with the same metadata.
    public func apply(to profile: Profile) -> Profile {
        if let kind, kind != profile.metadata.kind { return Profile(metadata: profile.metadata) }
        return profile.keepingSamples(where: matches)
    }

    /// The trace ids present in `profile` with their summed values, largest first (ties by id):
    /// what a trace-id filter can offer. Samples without a trace id are not counted.
    public static func traceIDs(in profile: Profile) -> [(traceID: TraceID, value: Int64)] {
        var totals: [TraceID: Int64] = [:]
        for sample in profile.samples {
            if let id = sample.labels.traceID { totals[id, default: 0] &+= sample.value }
        }
        return totals.map { (traceID: $0.key, value: $0.value) }
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.traceID < $1.traceID }
    }
}
