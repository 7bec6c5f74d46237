import Testing
@testable import ProfileModel

@Suite struct ShareStatisticsTests {
    @Test func normalDistribution() {
        #expect(abs(ShareStatistics.normalCDF(1.96) - 0.9750021) < 1e-6)
        #expect(abs(ShareStatistics.normalQuantile(0.975) - 1.959964) < 1e-5)
        #expect(abs(ShareStatistics.normalQuantile(0.8) - 0.841621) < 1e-5)
    }

    @Test func twoProportionTestMatchesHandComputation() {
        let (z, p) = ShareStatistics.twoProportionTest(x1: 50, n1: 100, x2: 60, n2: 100)
        #expect(abs(z - 1.42134) < 1e-4)
        // The p-value is Fisher's exact test's (scipy.stats.fisher_exact([[50, 50], [60, 40]])), not the
        // normal approximation's 0.15520.
        #expect(abs(p - 0.200708) < 1e-5)
        #expect(ShareStatistics.twoProportionTest(x1: 0, n1: 0, x2: 1, n2: 1) == (0, 1))
    }

    @Test func intervalContainsTheDifference() {
        let (low, high) = ShareStatistics.differenceInterval(x1: 50, n1: 100, x2: 60, n2: 100)
        #expect(low < 0.1 && high > 0.1 && abs((low + high) / 2 - 0.1) < 1e-12)
        #expect(abs(high - low - 2 * 1.959964 * 0.0700) < 1e-3)
    }

    @Test func minimumDetectableChangeShrinksWithSamples() throws {
        let small = try #require(ShareStatistics.minimumDetectableRelativeChange(baseShare: 0.1, n1: 1_000, n2: 1_000, alpha: 0.05))
        let large = try #require(ShareStatistics.minimumDetectableRelativeChange(baseShare: 0.1, n1: 10_000, n2: 10_000, alpha: 0.05))
        #expect(large > 0.11 && large < 0.13)  // ≈ (1.96 + 0.84) × sqrt(2 × 0.1 × 0.9 / 10⁴) / 0.1
        #expect(small > 3 * large)
        let needed = try #require(ShareStatistics.requiredSamples(baseShare: 0.1, relativeChange: large, alpha: 0.05))
        #expect(abs(needed - 10_000) < 200)
    }
}

@Suite struct FunctionStatsTests {
    @Test func selfAndTotalWithRecursionCountedOnce() {
        var p = Profile()
        let main = Frame(name: "main"), f = Frame(name: "f"), g = Frame(name: "g")
        p.add(stack: [main, f, f, g], value: 3)
        p.add(stack: [main, f], value: 1)
        let stats = FunctionStats(profile: p)
        #expect(stats["f"]?.totalValue == 4 && stats["f"]?.selfValue == 1)
        #expect(stats["g"]?.selfShare == 0.75)
        #expect(stats["main"]?.totalShare == 1 && stats["main"]?.selfValue == 0)
        #expect(stats.top(5).map(\.name) == ["g", "f"])
    }
}

@Suite struct ProfileDiffTests {
    static func pair() throws -> (Profile, Profile) {
        try FoldedCodec.decodeDifferential("main;a 60 40\nmain;b 40 40\nmain;c 0 20\nmain;d;e 10 0\n")
    }

    @Test func changesAreSortedAndFlagged() throws {
        let (base, cand) = try Self.pair()
        let changes = ProfileDiff.compute(base: base, candidate: cand)
        #expect(changes.map(\.name) == ["c", "a", "e", "b"])
        let a = changes[1]
        #expect(abs(a.baseShare - 60.0 / 110) < 1e-12 && a.candShare == 0.4)
        #expect(a.z < 0 && a.ciHigh > a.absoluteChange && a.ciLow < a.absoluteChange)
        #expect(changes[0].isNew && changes[0].relativeChange == nil && changes[0].baseSelf == 0 && changes[0].candSelf == 20)
        #expect(changes[2].isGone)
    }

    @Test func diffTreeMergesPathsAndNormalises() throws {
        let (base, cand) = try Self.pair()
        let tree = DiffTree(base: base, candidate: cand)
        #expect(tree.baseTotal == 110 && tree.candTotal == 100)
        let main = tree.nodes[0].children[0]
        #expect(tree.nodes[main].name == "main")
        #expect(tree.nodes[main].children.map { tree.nodes[$0].name } == ["a", "b", "c", "d"])
        let c = tree.nodes[main].children[2]
        #expect(tree.isNew(c) && tree.candTotalShare(c) == 0.2 && tree.selfShareChange(c) == 0.2)
        #expect(tree.goneNodes.map(tree.path) == [["main", "d"]])
        #expect(tree.candTotalShare(main) == 1 && tree.baseTotalShare(main) == 1)
    }
}

@Suite struct FilterAndMergeTests {
    @Test func filterByTraceTimeAndKind() {
        let p = TestProfiles.cpu()
        let byTrace = ProfileFilter(traceIDs: [TraceID(hex: TestProfiles.traceA.hex.uppercased())!]).apply(to: p)
        #expect(byTrace.totalValue == 9 && byTrace.samples.count == 2 && byTrace.stacks.count == 1 && byTrace.frames.count == 3)
        let byTime = ProfileFilter(timeWindowNs: 5_500...7_000).apply(to: p)
        #expect(byTime.totalValue == 3)
        #expect(ProfileFilter(kind: .offcpu).apply(to: p).samples.isEmpty)
        #expect(ProfileFilter(traceIDs: [TraceID(hex: "0000000000000000000000000000ffff")!]).apply(to: p).samples.isEmpty)
        #expect(ProfileFilter().apply(to: p).totalValue == p.totalValue)
    }

    @Test func traceIDsAreListedByValue() {
        let ids = ProfileFilter.traceIDs(in: TestProfiles.cpu())
        #expect(ids.map(\.traceID) == [TestProfiles.traceA, TestProfiles.traceB])
        #expect(ids.map(\.value) == [9, 3])
    }

    @Test func mergeKeepsSamplesAndAgreedMetadata() throws {
        var second = TestProfiles.cpu()
        second.metadata.version = "v2"
        let merged = try ProfileMerge.merge([TestProfiles.cpu(), second])
        #expect(merged.totalValue == 2 * TestProfiles.cpu().totalValue)
        #expect(merged.frames.count == TestProfiles.cpu().frames.count)
        #expect(merged.metadata.version == nil && merged.metadata.service == "shop" && merged.metadata.dropped == 4)
        #expect(throws: FlamelabError.self) { try ProfileMerge.merge([TestProfiles.cpu(), TestProfiles.offCPU()]) }
    }
}
