import ProfileModel

/// Questions the scenarios ask of a profile, answered by code (never by a person reading a graph).
public enum ProfileQueries {
    /// Sum of the values of samples whose stack has a frame whose name contains `needle`.
    public static func value(of profile: Profile, under needle: String) -> Int64 {
        let matching = Set(profile.frames.indices.filter { profile.frames[$0].name.contains(needle) }.map { Int32($0) })
        return profile.samples.reduce(Int64(0)) { sum, sample in
            profile.stacks[sample.stackID].contains(where: matching.contains) ? sum + sample.value : sum
        }
    }

    /// The function with the largest self value among frames of `kinds`, where a sample's self frame is its
    /// leaf-most frame of those kinds (so kernel and libc leaves are attributed to the code that called them).
    public static func hottest(_ profile: Profile, kinds: Set<FrameKind> = [.app, .python]) -> (name: String, value: Int64, share: Double)? {
        guard let top = attributed(profile, kinds: kinds).first else { return nil }
        let total = profile.totalValue
        return (top.name, top.value, total > 0 ? Double(top.value) / Double(total) : 0)
    }

    /// Every function's value by the leaf-most frame of `kinds` (as `hottest` attributes it), largest first.
    public static func attributed(_ profile: Profile, kinds: Set<FrameKind> = [.app, .python]) -> [(name: String, value: Int64)] {
        var byName: [String: Int64] = [:]
        for sample in profile.samples {
            guard let index = profile.stacks[sample.stackID].last(where: { kinds.contains(profile.frames[Int($0)].kind) }) else { continue }
            byName[profile.frames[Int(index)].name, default: 0] += sample.value
        }
        return byName.map { ($0.key, $0.value) }.sorted { $0.value != $1.value ? $0.value > $1.value : $0.name < $1.name }
    }

    /// The probability that `hottest` would name the same function again from as many samples, with
    /// the samples of one trace counted as one draw (they are that correlated: a trace's samples come
    /// in a run of the same code), so the effective sample count is the number of traces.
    public static func hottestPower(_ profile: Profile, kinds: Set<FrameKind> = [.app, .python]) -> Double {
        let ranked = attributed(profile, kinds: kinds)
        let total = Double(ranked.reduce(0) { $0 + $1.value })
        guard let leader = ranked.first, total > 0 else { return 0 }
        let traces = Set(profile.samples.compactMap(\.labels.traceID)).count
        let samples = Double(profile.samples.count)
        let clusterSize = traces > 0 ? samples / Double(traces) : samples
        return SamplingPower.leaderHolds(leader: Double(leader.value) / total, others: ranked.dropFirst().map { Double($0.value) / total },
                                         samples: samples, dispersion: clusterSize)
    }

    /// Samples (count, not value) that carry one of `traceIDs`.
    public static func filter(_ profile: Profile, traceIDs: Set<TraceID>) -> Profile {
        ProfileFilter(traceIDs: traceIDs).apply(to: profile)
    }
}
