/// How much more a function's sampled share varies than independent draws would: the batch-means
/// estimate over consecutive blocks of a profile's samples.
///
/// Timer samples are not independent: one request's work fills many neighbouring samples, an
/// interrupt-masked kernel section lends its samples to whatever runs when interrupts come back, a
/// GC or janitor burst lands in one stretch. The binomial variance p(1-p)/n then understates how far
/// a share moves between two captures of the same code, and a test built on it raises false alarms.
/// Splitting the samples, in time order, into blocks and comparing the blocks' shares measures the
/// real variance of the share; its ratio to the binomial one (never below 1) widens the test.
public enum SampleDispersion {
    /// Blocks per profile: enough for a variance estimate, few enough that each holds many samples.
    public static let blocks = 10
    /// Fewer timestamped samples than this per block and the estimate is not attempted (ratio 1).
    public static let minimumSamplesPerBlock = 20

    /// The variance ratio per function name (absent: 1), from the samples' timestamps; empty when
    /// the samples carry none (folded input) or are too few. The gate uses `blocks`; a pilot that sizes
    /// canaries may split into more blocks, which estimates the ratio more tightly (fewer degrees of
    /// freedom lost to the block count).
    public static func ratios(of profile: Profile, blocks: Int = SampleDispersion.blocks) -> [String: Double] {
        let timed = profile.samples.indices.filter { profile.samples[$0].labels.timestampNs != nil }
        guard blocks >= 2, timed.count == profile.samples.count, timed.count >= blocks * minimumSamplesPerBlock else { return [:] }
        let ordered = timed.sorted { profile.samples[$0].labels.timestampNs! < profile.samples[$1].labels.timestampNs! }
        let totals = blockTotals(profile, ordered, blocks: blocks)
        let counts = blockSelfValues(profile, ordered, blocks: blocks)
        let n = totals.reduce(0, +)
        guard n > 0, totals.allSatisfy({ $0 > 0 }) else { return [:] }
        var result: [String: Double] = [:]
        for (name, selfPerBlock) in counts {
            let p = selfPerBlock.reduce(0, +) / n
            guard p > 0, p < 1 else { continue }
            let shares = zip(selfPerBlock, totals).map { $0 / $1 }
            let spread = shares.reduce(0) { $0 + ($1 - p) * ($1 - p) } / Double(blocks - 1)
            let batchVariance = spread / Double(blocks)
            let binomialVariance = p * (1 - p) / n
            result[name] = max(1, batchVariance / binomialVariance)
        }
        return result
    }

    /// The largest block count `profile` supports (at least `minimumSamplesPerBlock` samples each).
    public static func maximumBlocks(of profile: Profile) -> Int {
        profile.samples.count / minimumSamplesPerBlock
    }

    /// Block of the i-th sample in time order: equal numbers of samples per block.
    private static func block(ofPosition position: Int, count: Int, blocks: Int) -> Int {
        min(blocks - 1, position * blocks / count)
    }

    private static func blockTotals(_ profile: Profile, _ ordered: [Int], blocks: Int) -> [Double] {
        var totals = [Double](repeating: 0, count: blocks)
        for (position, index) in ordered.enumerated() {
            totals[block(ofPosition: position, count: ordered.count, blocks: blocks)] += Double(profile.samples[index].value)
        }
        return totals
    }

    /// Self value per leaf function name per block.
    private static func blockSelfValues(_ profile: Profile, _ ordered: [Int], blocks: Int) -> [String: [Double]] {
        var result: [String: [Double]] = [:]
        for (position, index) in ordered.enumerated() {
            let sample = profile.samples[index]
            guard let leaf = profile.stacks[sample.stackID].last else { continue }
            let name = profile.frames[Int(leaf)].name
            result[name, default: [Double](repeating: 0, count: blocks)][block(ofPosition: position, count: ordered.count, blocks: blocks)] += Double(sample.value)
        }
        return result
    }
}
