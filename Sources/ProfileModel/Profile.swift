/// A profile: interned frames and stacks, and samples that point at stacks.
///
/// Stacks are stored ROOT FIRST (the order of folded stacks and flame graphs). Codecs that need
/// leaf-first order (pprof) reverse at their boundary.
public struct Profile: Sendable, Codable, Equatable {
    public var metadata: ProfileMetadata
    public private(set) var frames: [Frame] = []
    /// Each stack is a list of indices into `frames`, root first.
    public private(set) var stacks: [[Int32]] = []
    public private(set) var samples: [Sample] = []

    private var frameIndex: [Frame: Int32] = [:]
    private var stackIndex: [[Int32]: Int] = [:]

    private enum CodingKeys: String, CodingKey { case metadata, frames, stacks, samples }

    public init(metadata: ProfileMetadata = ProfileMetadata()) {
        self.metadata = metadata
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.decode(ProfileMetadata.self, forKey: .metadata)
        frames = try c.decode([Frame].self, forKey: .frames)
        stacks = try c.decode([[Int32]].self, forKey: .stacks)
        samples = try c.decode([Sample].self, forKey: .samples)
        for (i, f) in frames.enumerated() { frameIndex[f] = Int32(i) }
        for (i, s) in stacks.enumerated() { stackIndex[s] = i }
    }

    public static func == (a: Profile, b: Profile) -> Bool {
        a.metadata == b.metadata && a.frames == b.frames && a.stacks == b.stacks && a.samples == b.samples
    }

    /// The same profile with each sample's labels passed through `transform`; stacks and values kept.
    public func relabelled(_ transform: (SampleLabels) -> SampleLabels) -> Profile {
        var copy = self
        for i in copy.samples.indices { copy.samples[i].labels = transform(copy.samples[i].labels) }
        return copy
    }

    /// Sets each sample's value to `value(sample)`; stacks and labels kept.
    mutating func replaceSampleValues(_ value: (Sample) -> Int64) {
        for i in samples.indices { samples[i].value = value(samples[i]) }
    }

    /// Interns `frame` and returns its index.
    public mutating func intern(_ frame: Frame) -> Int32 {
        if let i = frameIndex[frame] { return i }
        let i = Int32(frames.count)
        frames.append(frame)
        frameIndex[frame] = i
        return i
    }

    /// Interns a root-first stack of frame indices and returns its stack id.
    public mutating func intern(stack: [Int32]) -> Int {
        if let i = stackIndex[stack] { return i }
        let i = stacks.count
        stacks.append(stack)
        stackIndex[stack] = i
        return i
    }

    /// Adds a sample whose stack is given root first (`objects`: memory profiles' allocation count).
    public mutating func add(stack: [Frame], value: Int64, objects: Int64? = nil, labels: SampleLabels = .none) {
        let ids = stack.map { intern($0) }
        samples.append(Sample(stackID: intern(stack: ids), value: value, objects: objects, labels: labels))
    }

    /// Adds a sample with an already interned stack (`objects`: memory profiles' allocation count).
    public mutating func add(stackID: Int, value: Int64, objects: Int64? = nil, labels: SampleLabels = .none) {
        precondition(stackID >= 0 && stackID < stacks.count, "stack id out of range")
        samples.append(Sample(stackID: stackID, value: value, objects: objects, labels: labels))
    }

    /// The frames of stack `id`, root first.
    public func frames(ofStack id: Int) -> [Frame] {
        stacks[id].map { frames[Int($0)] }
    }

    /// Sum of all sample values.
    public var totalValue: Int64 { samples.reduce(0) { $0 + $1.value } }

    /// The wall time (Unix ns) of the earliest timed sample; nil without one, or without the
    /// metadata's wall-clock anchor.
    public var firstSampleUnixNs: UInt64? {
        samples.compactMap(\.labels.timestampNs).min().flatMap(metadata.wallTimeNs(of:))
    }
}
