/// Per-function self and total values of a profile, by function name.
public struct FunctionStats: Sendable {
    /// Sum of all sample values.
    public let total: Int64
    /// Number of samples.
    public let sampleCount: Int
    public let kind: ProfileKind
    /// The unit of the values (memory: bytes or allocations).
    public let unit: SampleValueUnit
    /// Every function, by self value descending, then name.
    public let functions: [FunctionStat]
    private let indexByName: [String: Int]

    public init(profile: Profile) {
        var perStack = [Int64](repeating: 0, count: profile.stacks.count)
        for sample in profile.samples { perStack[sample.stackID] &+= sample.value }
        var selfByFrame = [Int64](repeating: 0, count: profile.frames.count)
        var totalByName: [String: Int64] = [:]
        var seen = Set<String>()
        for (id, value) in perStack.enumerated() where value != 0 {
            let stack = profile.stacks[id]
            guard let leaf = stack.last else { continue }
            selfByFrame[Int(leaf)] &+= value
            seen.removeAll(keepingCapacity: true)
            for frameID in stack {
                let name = profile.frames[Int(frameID)].name
                if seen.insert(name).inserted { totalByName[name, default: 0] &+= value }
            }
        }
        var selfByName: [String: Int64] = [:]
        var kindByName: [String: FrameKind] = [:]
        for (i, frame) in profile.frames.enumerated() {
            selfByName[frame.name, default: 0] &+= selfByFrame[i]
            if kindByName[frame.name] == nil { kindByName[frame.name] = frame.kind }
        }
        let total = perStack.reduce(0, &+)
        let denominator = Double(max(total, 1))
        // Off-CPU values are nanoseconds and tested per sample: the block estimate is for CPU counts.
        let dispersion = profile.metadata.kind == .cpu ? SampleDispersion.ratios(of: profile) : [:]
        let stats = totalByName.map { name, totalValue -> FunctionStat in
            let selfValue = selfByName[name] ?? 0
            return FunctionStat(name: name, kind: kindByName[name] ?? .unknown, selfValue: selfValue, totalValue: totalValue,
                                selfShare: Double(selfValue) / denominator, totalShare: Double(totalValue) / denominator,
                                dispersion: dispersion[name] ?? 1)
        }
        functions = stats.sorted { ($0.selfValue, $1.name) > ($1.selfValue, $0.name) }
        indexByName = Dictionary(uniqueKeysWithValues: functions.enumerated().map { ($1.name, $0) })
        self.total = total
        sampleCount = profile.samples.count
        kind = profile.metadata.kind
        unit = profile.metadata.valueUnit
    }

    /// The function named `name`, if it appears.
    public subscript(name: String) -> FunctionStat? {
        indexByName[name].map { functions[$0] }
    }

    /// The `n` functions with the most self value (ties by name), excluding ones with no self value.
    public func top(_ n: Int) -> [FunctionStat] {
        Array(functions.prefix { $0.selfValue > 0 }.prefix(max(0, n)))
    }

    /// The sample size that statistical tests use: the sample count total for CPU profiles
    /// (values are counts), the number of samples for off-CPU ones (values are nanoseconds, so
    /// shares are tested as if each sample were one draw: an approximation).
    public var testSampleSize: Double {
        kind == .cpu ? Double(total) : Double(sampleCount)
    }
}
