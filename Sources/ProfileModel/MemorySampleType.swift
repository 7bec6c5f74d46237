/// Which of a memory profile's two values a one-value format (folded, speedscope, flame graphs) shows.
public enum MemorySampleType: String, Codable, Sendable, CaseIterable {
    /// Bytes (pprof's `alloc_space` / `inuse_space`): the default.
    case space
    /// Allocations (pprof's `alloc_objects` / `inuse_objects`).
    case objects

    /// Parses `space`, `objects` or pprof's names (`alloc_space`, `inuse_objects`, ...).
    public init?(argument: String) {
        let name = argument.split(separator: "_").last.map(String.init) ?? argument
        self.init(rawValue: name)
    }

    /// pprof's sample type name for `kind` (`alloc_space`, `inuse_objects`, ...).
    public func pprofName(_ kind: ProfileKind) -> String { "\(kind.rawValue)_\(rawValue)" }
}

extension Profile {
    /// The profile with each memory sample's value taken from `type` (`objects`: the allocation
    /// count becomes the value, and the metadata says so). Other kinds, and `space`, are returned
    /// unchanged.
    public func selectingSampleType(_ type: MemorySampleType) -> Profile {
        guard metadata.kind.isMemory, type == .objects, metadata.memorySampleType != .objects else { return self }
        var copy = self
        copy.replaceSampleValues { sample in sample.objects ?? 0 }
        copy.metadata.memorySampleType = .objects
        return copy
    }
}
