/// Merges profiles of one kind into one (e.g. several runs, or per-thread speedscope profiles).
public enum ProfileMerge {
    /// All samples of `profiles`, in order. Metadata: hz, unwind mode, service and version where all
    /// agree (else 0 / `mixed` / nil), the earliest start, the latest end, the summed drops.
    public static func merge(_ profiles: [Profile]) throws -> Profile {
        guard let first = profiles.first else { throw FlamelabError.failed("merge", "profiles", "no profiles given", code: .input) }
        let kinds = Set(profiles.map(\.metadata.kind))
        guard kinds.count == 1 else {
            throw FlamelabError.failed("merge", "profiles", "kinds differ (\(kinds.map(\.rawValue).sorted().joined(separator: ", ")))", code: .input)
        }
        var result = Profile(metadata: mergedMetadata(profiles.map(\.metadata), kind: first.metadata.kind))
        for profile in profiles {
            var remapper = ProfileRemapper(source: profile)
            for sample in profile.samples { remapper.copy(sample, into: &result) }
        }
        return result
    }

    private static func mergedMetadata(_ all: [ProfileMetadata], kind: ProfileKind) -> ProfileMetadata {
        func agreed<T: Hashable>(_ values: [T]) -> T? { Set(values).count == 1 ? values.first : nil }
        let starts = all.map(\.startUnixNs).filter { $0 > 0 }
        return ProfileMetadata(
            kind: kind,
            hz: agreed(all.map(\.hz)) ?? 0,
            unwindMode: agreed(all.map(\.unwindMode)) ?? nil,
            service: agreed(all.map(\.service)) ?? nil,
            version: agreed(all.map(\.version)) ?? nil,
            startUnixNs: starts.min() ?? 0,
            endUnixNs: all.map(\.endUnixNs).max() ?? 0,
            monotonicStartNs: all.count == 1 ? all[0].monotonicStartNs : 0,
            dropped: all.reduce(0) { $0 &+ $1.dropped })
    }
}
