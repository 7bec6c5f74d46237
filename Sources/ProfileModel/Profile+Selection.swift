extension Profile {
    /// The samples `isKept` accepts, as a compact profile with the same metadata: only the frames
    /// and stacks those samples use.
    public func keepingSamples(where isKept: (Sample) -> Bool) -> Profile {
        var kept = Profile(metadata: metadata)
        var remapper = ProfileRemapper(source: self)
        for sample in samples where isKept(sample) {
            remapper.copy(sample, into: &kept)
        }
        return kept
    }

    /// The samples grouped by `key`, one compact profile per key with the same metadata. Each part
    /// is built in place, in one pass: linear in the samples, whatever the number of parts.
    public func partitioned<Key: Hashable>(by key: (Sample) -> Key) -> [Key: Profile] {
        var index: [Key: Int] = [:]
        var parts: [Profile] = [], remappers: [ProfileRemapper] = []
        for sample in samples {
            let k = key(sample)
            let i: Int
            if let known = index[k] {
                i = known
            } else {
                i = parts.count
                index[k] = i
                parts.append(Profile(metadata: metadata))
                remappers.append(ProfileRemapper(source: self, sparse: true))
            }
            remappers[i].copy(sample, into: &parts[i])
        }
        return index.mapValues { parts[$0] }
    }
}
