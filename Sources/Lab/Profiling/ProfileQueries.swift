import ProfileModel
import Symbolize

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
        var byName: [String: Int64] = [:]
        for sample in profile.samples {
            guard let index = profile.stacks[sample.stackID].last(where: { kinds.contains(profile.frames[Int($0)].kind) }) else { continue }
            byName[profile.frames[Int(index)].name, default: 0] += sample.value
        }
        guard let top = byName.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }) else { return nil }
        let total = profile.totalValue
        return (top.key, top.value, total > 0 ? Double(top.value) / Double(total) : 0)
    }

    /// Samples (count, not value) that carry one of `traceIDs`.
    public static func filter(_ profile: Profile, traceIDs: Set<String>) -> Profile {
        ProfileFilter(traceIDs: traceIDs).apply(to: profile)
    }
}
