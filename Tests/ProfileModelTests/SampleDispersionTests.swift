import ProfileModel
import Testing

@Suite("Sample dispersion (batch means)")
struct SampleDispersionTests {
    static let hot = Frame(name: "hot", kind: .app)
    static let other = Frame(name: "other", kind: .app)

    /// 1,000 one-count samples in time order; `isHot(i)` says which are in `hot`.
    static func profile(timed: Bool = true, _ isHot: (Int) -> Bool) -> Profile {
        var profile = Profile(metadata: ProfileMetadata(kind: .cpu, hz: 99, unwindMode: .fp))
        for i in 0..<1_000 {
            profile.add(stack: [isHot(i) ? hot : other], value: 1, labels: SampleLabels(timestampNs: timed ? UInt64(i) * 10_000_000 : nil))
        }
        return profile
    }

    @Test("evenly spread samples vary like independent draws: ratio near 1")
    func evenSpread() {
        let ratios = SampleDispersion.ratios(of: Self.profile { $0 % 5 == 0 })
        #expect((ratios["hot"] ?? 0) == 1, "\(ratios)")
    }

    @Test("samples in bursts vary more than independent draws: ratio well above 1")
    func bursts() {
        // 20% of the samples, all in the first two of ten time blocks.
        let ratios = SampleDispersion.ratios(of: Self.profile { $0 < 200 })
        #expect((ratios["hot"] ?? 0) > 20, "\(ratios)")
    }

    @Test("without timestamps (folded input) nothing is estimated")
    func untimed() {
        #expect(SampleDispersion.ratios(of: Self.profile(timed: false) { $0 < 200 }).isEmpty)
    }

    @Test("a burst that moved between two captures is not called significant; the same shares spread evenly are")
    func widenedTest() {
        // Base: 10% of samples in one burst; candidate: 16% in one burst. Binomially p ~ 1e-4.
        let base = FunctionStats(profile: Self.profile { $0 >= 300 && $0 < 400 })
        let cand = FunctionStats(profile: Self.profile { $0 >= 600 && $0 < 760 })
        let bursty = ProfileDiff.change(of: "hot", base: base, candidate: cand)
        #expect(bursty.dispersion > 1 && bursty.pValue > 0.05, "p \(bursty.pValue), dispersion \(bursty.dispersion)")
        let evenBase = FunctionStats(profile: Self.profile { $0 % 10 == 0 })
        let evenCand = FunctionStats(profile: Self.profile { $0 % 25 < 4 })
        let even = ProfileDiff.change(of: "hot", base: evenBase, candidate: evenCand)
        #expect(even.dispersion == 1 && even.pValue < 0.001, "p \(even.pValue), dispersion \(even.dispersion)")
    }
}
