import Foundation
import Testing
@testable import ProfileModel

/// The gate on handmade folded pairs with known outcomes (Fixtures/gate/).
@Suite struct GateRuleTests {
    static func load(_ name: String) throws -> Profile {
        try FoldedCodec.decode(try FixtureFiles.bytes("gate/\(name).folded"), metadata: ProfileMetadata(kind: .cpu, hz: 99))
    }

    static func verdict(_ base: String, _ cand: String, rule: GateRule = GateRule()) throws -> GateVerdict {
        try rule.evaluate(baseline: load(base), candidate: load(cand))
    }

    @Test func newFunctionEnteringTheTop5Fails() throws {
        let v = try Self.verdict("base", "new-entrant.cand")
        #expect(!v.passed && v.verdict == "fail")
        let reason = try #require(v.reasons.first)
        #expect(reason.function == "Shop.Pricing.applyDiscounts" && reason.trigger == .enteredTopN)
        #expect(reason.baseRank == nil && reason.candRank == 4)
        #expect(v.topChanges.first?.name == "Shop.Pricing.applyDiscounts" && v.topChanges.first?.isNew == true)
        try FixtureFiles.expectMatches(GateCommentRenderer.render(v), "gate/new-entrant.comment.md")
    }

    @Test func growthOf20PercentFails() throws {
        let v = try Self.verdict("base", "growth20.cand")
        #expect(!v.passed)
        #expect(v.reasons.map(\.function) == ["Shop.encodeJSON"])
        #expect(v.reasons[0].trigger == .grew)
        #expect(abs((v.reasons[0].relativeChange ?? 0) - 0.20) < 1e-9)
        try FixtureFiles.expectMatches(GateCommentRenderer.render(v), "gate/growth20.comment.md")
    }

    @Test func growthOf10PercentPasses() throws {
        let v = try Self.verdict("base", "growth10.cand")
        #expect(v.passed && v.reasons.isEmpty && v.notSignificant.isEmpty)
        // It is a real, significant change: it passes because it is under the threshold.
        let json = try #require(v.topChanges.first { $0.name == "Shop.encodeJSON" })
        #expect(json.pValue < 0.001)
    }

    @Test func noisePasses() throws {
        let v = try Self.verdict("base", "noise.cand")
        #expect(v.passed && v.reasons.isEmpty)
        try FixtureFiles.expectMatches(GateCommentRenderer.render(v), "gate/noise.comment.md")
    }

    @Test func growthAtTooFewSamplesIsReportedButDoesNotFail() throws {
        let v = try Self.verdict("small.base", "small-growth20.cand")
        #expect(v.passed)
        #expect(v.notSignificant.map(\.function) == ["Shop.encodeJSON"])
        #expect(!v.sampleSize.enough)
        #expect((v.sampleSize.samplesNeededPerSide ?? 0) > 1000)
        try FixtureFiles.expectMatches(GateCommentRenderer.render(v), "gate/small-growth20.comment.md")
    }

    @Test("Fisher's exact test matches a reference implementation (scipy.stats.fisher_exact)")
    func fisherExact() {
        // The two A/A false alarms of the lab's gate before the floor, and a large table.
        #expect(abs(ShareStatistics.fisherExactTwoSided(x1: 2, n1: 872, x2: 13, n2: 890) - 0.0071935) < 1e-6)
        #expect(abs(ShareStatistics.fisherExactTwoSided(x1: 17, n1: 996, x2: 35, n2: 965) - 0.0107451) < 1e-6)
        #expect(ShareStatistics.fisherExactTwoSided(x1: 0, n1: 10, x2: 0, n2: 10) == 1)
        #expect(ShareStatistics.fisherExactTwoSided(x1: 12_000, n1: 100_000, x2: 14_400, n2: 100_000) < 1e-40)
    }

    /// A small kernel symbol that jumps into the top 5: significant, but under 2 points.
    static func kernelJump() -> (Profile, Profile) {
        func profile(_ counts: [(String, Int64)]) -> Profile {
            var p = Profile(metadata: ProfileMetadata(kind: .cpu, hz: 99))
            for (name, count) in counts { p.add(stack: [Frame(name: "main"), Frame(name: name)], value: count) }
            return p
        }
        return (profile([("A", 500), ("B", 300), ("C", 150), ("D", 48), ("_raw_spin_unlock_irq", 2)]),
                profile([("A", 493), ("B", 296), ("C", 150), ("D", 48), ("_raw_spin_unlock_irq", 13)]))
    }

    @Test func theDefaultLevelDoesNotFailTheKernelJumpOfAnAARun() throws {
        let (base, cand) = Self.kernelJump()
        let v = try GateRule().evaluate(baseline: base, candidate: cand)
        #expect(v.passed && v.notSignificant.contains { $0.function == "_raw_spin_unlock_irq" && !$0.significant })
    }

    @Test func aSignificantRiseBelowTheFloorIsReportedButDoesNotFail() throws {
        let (base, cand) = Self.kernelJump()
        let v = try GateRule(minAbsoluteChange: 0.02, alpha: 0.05).evaluate(baseline: base, candidate: cand)
        #expect(v.passed)
        let finding = try #require(v.notSignificant.first { $0.function == "_raw_spin_unlock_irq" })
        #expect(finding.significant && finding.belowFloor && !finding.counts)
        #expect(GateCommentRenderer.render(v).contains("Below the floor, not counted: `_raw_spin_unlock_irq`"))
        let literal = try GateRule(minAbsoluteChange: 0, alpha: 0.05).evaluate(baseline: base, candidate: cand)
        #expect(!literal.passed && literal.reasons.map(\.function) == ["_raw_spin_unlock_irq"])
    }

    /// Two captures of one build; in the candidate a neighbour makes the service spend 10x the CPU in
    /// the kernel (the quick lab's A/A failure: `_raw_spin_unlock_irqrestore` 2.1% -> 10.9%).
    static func kernelBurst(kind: ProfileKind = .cpu) -> (Profile, Profile) {
        func profile(kernel: Int64) -> Profile {
            var p = Profile(metadata: ProfileMetadata(kind: kind, hz: 99))
            for (name, count) in [("A", Int64(1000)), ("B", 600), ("C", 300), ("D", 100)] {
                p.add(stack: [Frame(name: "main", kind: .native), Frame(name: name, kind: .native)], value: count)
            }
            p.add(stack: [Frame(name: "main", kind: .native), Frame(name: "write", kind: .native),
                          Frame(name: "_raw_spin_unlock_irqrestore", kind: .kernel)], value: kernel)
            return p
        }
        return (profile(kernel: 60), profile(kernel: 600))
    }

    @Test("kernel time is left out of a CPU gate by default and reported beside it")
    func aKernelBurstDoesNotFailTheDefaultGate() throws {
        let (base, cand) = Self.kernelBurst()
        let v = try GateRule().evaluate(baseline: base, candidate: cand)
        #expect(v.passed, "\(v.reasons)")
        #expect(v.baselineSamples == 2000 && v.candidateSamples == 2000)
        let kernel = try #require(v.kernelShare)
        #expect(abs(kernel.baseline - 60.0 / 2060) < 1e-9 && abs(kernel.candidate - 600.0 / 2600) < 1e-9)
        #expect(GateCommentRenderer.render(v).contains("Kernel time: CPU samples taken in the kernel are left out of the test (2.91% of the baseline, 23.08% of the candidate)"))
        let included = try GateRule(kernelTime: .include).evaluate(baseline: base, candidate: cand)
        #expect(!included.passed && included.reasons.map(\.function) == ["_raw_spin_unlock_irqrestore"])
        #expect(included.kernelShare == nil)
    }

    @Test("off-CPU profiles keep their kernel leaves: every off-CPU stack ends in the scheduler")
    func offCPUProfilesAreNotFiltered() throws {
        let (base, _) = Self.kernelBurst(kind: .offcpu)
        #expect(GateRule().testedProfile(base).totalValue == base.totalValue)
        #expect(try GateRule().evaluate(baseline: base, candidate: base).kernelShare == nil)
    }

    @Test func aCPUProfileWithOnlyKernelSamplesIsAnInputError() throws {
        var kernelOnly = Profile(metadata: ProfileMetadata(kind: .cpu, hz: 99))
        kernelOnly.add(stack: [Frame(name: "do_idle", kind: .kernel)], value: 10)
        let (base, _) = Self.kernelBurst()
        do {
            _ = try GateRule().evaluate(baseline: base, candidate: kernelOnly)
            Issue.record("a kernel-only candidate was gated")
        } catch {
            #expect("\(error)" == "failed to evaluate gate: the candidate has no user-space samples (all 1 are in the kernel; --kernel include tests them)")
        }
    }

    @Test func resampledAAComparisonsPass() throws {
        let base = try Self.load("base")
        let stacks = base.samples.map { base.frames(ofStack: $0.stackID) }
        let weights = base.samples.map { Double($0.value) / Double(base.totalValue) }
        var rng = SeededGenerator(seed: 99)
        for _ in 0..<20 {
            let a = Self.resample(stacks, weights, n: 30_000, &rng)
            let b = Self.resample(stacks, weights, n: 30_000, &rng)
            let v = try GateRule().evaluate(baseline: a, candidate: b)
            #expect(v.passed, "A/A failed: \(v.reasons)")
        }
    }

    @Test func verdictIsCodable() throws {
        let v = try Self.verdict("base", "new-entrant.cand")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(v)
        #expect(try JSONDecoder().decode(GateVerdict.self, from: data) == v)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect(object?["verdict"] as? String == "fail")
    }

    @Test func inputErrorsAreNotRegressions() throws {
        let base = try Self.load("base")
        #expect(throws: FlamelabError.self) { try GateRule().evaluate(baseline: base, candidate: Profile()) }
        let off = Profile(metadata: ProfileMetadata(kind: .offcpu))
        do {
            _ = try GateRule().evaluate(baseline: base, candidate: off)
        } catch {
            #expect("\(error)" == "failed to evaluate gate: baseline is cpu but candidate is offcpu")
        }
    }

    @Test func thresholdsAreConfigurable() throws {
        let strict = GateRule(maxRelativeGrowth: 0.05)
        #expect(try !Self.verdict("base", "growth10.cand", rule: strict).passed)
        let top3 = GateRule(topN: 3)
        #expect(try Self.verdict("base", "growth20.cand", rule: top3).passed)
    }

    static func resample(_ stacks: [[Frame]], _ weights: [Double], n: Int, _ rng: inout SeededGenerator) -> Profile {
        var counts = [Int64](repeating: 0, count: stacks.count)
        for _ in 0..<n {
            var u = Double.random(in: 0..<1, using: &rng)
            var i = 0
            while i < weights.count - 1 && u >= weights[i] { u -= weights[i]; i += 1 }
            counts[i] += 1
        }
        var p = Profile(metadata: ProfileMetadata(kind: .cpu, hz: 99))
        for (i, c) in counts.enumerated() where c > 0 { p.add(stack: stacks[i], value: c) }
        return p
    }
}
