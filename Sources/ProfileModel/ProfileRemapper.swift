/// Copies samples of one profile into another, interning each source frame and stack once.
///
/// Dense (the default) maps ids through arrays as large as the source's tables: fastest when the
/// target takes much of the source (a filter). Sparse maps through dictionaries: its cost follows
/// what the target takes, for one of many parts (a window split by process).
struct ProfileRemapper {
    private let source: Profile
    private let sparse: Bool
    private var frameMap: [Int32]
    private var stackMap: [Int]
    private var sparseFrames: [Int32: Int32] = [:]
    private var sparseStacks: [Int: Int] = [:]

    init(source: Profile, sparse: Bool = false) {
        self.source = source
        self.sparse = sparse
        frameMap = sparse ? [] : Array(repeating: -1, count: source.frames.count)
        stackMap = sparse ? [] : Array(repeating: -1, count: source.stacks.count)
    }

    /// Adds `sample` (of the source profile) to `target`.
    mutating func copy(_ sample: Sample, into target: inout Profile) {
        target.add(stackID: stackID(sample.stackID, in: &target), value: sample.value, objects: sample.objects, labels: sample.labels)
    }

    private mutating func stackID(_ id: Int, in target: inout Profile) -> Int {
        if let known = sparse ? sparseStacks[id] : (stackMap[id] >= 0 ? stackMap[id] : nil) { return known }
        let mapped = source.stacks[id].map { frameID($0, in: &target) }
        let newID = target.intern(stack: mapped)
        if sparse { sparseStacks[id] = newID } else { stackMap[id] = newID }
        return newID
    }

    private mutating func frameID(_ id: Int32, in target: inout Profile) -> Int32 {
        if let known = sparse ? sparseFrames[id] : (frameMap[Int(id)] >= 0 ? frameMap[Int(id)] : nil) { return known }
        let newID = target.intern(source.frames[Int(id)])
        if sparse { sparseFrames[id] = newID } else { frameMap[Int(id)] = newID }
        return newID
    }
}
