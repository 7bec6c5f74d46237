
extension SymbolizationQuality {
    /// Measures every sample of `profile` (stacks are root first there). Each sample counts once,
    /// or by its value with `weightByValue` (a CPU profile whose samples carry counts).
    public init(profile: Profile, weightByValue: Bool = false) {
        var weightsByStack = [Int](repeating: 0, count: profile.stacks.count)
        for sample in profile.samples {
            weightsByStack[sample.stackID] += weightByValue ? Int(clamping: sample.value) : 1
        }
        let used = weightsByStack.indices.filter { weightsByStack[$0] > 0 }
        self.init(stacks: used.map { profile.frames(ofStack: $0) }, order: .rootFirst, weights: used.map { weightsByStack[$0] })
    }
}
