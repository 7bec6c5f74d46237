/// Copies samples of one profile into another, interning each source frame and stack once.
struct ProfileRemapper {
    private let source: Profile
    private var frameMap: [Int32]
    private var stackMap: [Int]

    init(source: Profile) {
        self.source = source
        frameMap = Array(repeating: -1, count: source.frames.count)
        stackMap = Array(repeating: -1, count: source.stacks.count)
    }

    /// Adds `sample` (of the source profile) to `target`.
    mutating func copy(_ sample: Sample, into target: inout Profile) {
        target.add(stackID: stackID(sample.stackID, in: &target), value: sample.value, labels: sample.labels)
    }

    private mutating func stackID(_ id: Int, in target: inout Profile) -> Int {
        if stackMap[id] >= 0 { return stackMap[id] }
        let mapped = source.stacks[id].map { frameID($0, in: &target) }
        let newID = target.intern(stack: mapped)
        stackMap[id] = newID
        return newID
    }

    private mutating func frameID(_ id: Int32, in target: inout Profile) -> Int32 {
        let i = Int(id)
        if frameMap[i] >= 0 { return frameMap[i] }
        let newID = target.intern(source.frames[i])
        frameMap[i] = newID
        return newID
    }
}
