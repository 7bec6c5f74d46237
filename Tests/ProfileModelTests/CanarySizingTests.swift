import ProfileModel
import Testing

@Suite("Canary sizing from a pilot")
struct CanarySizingTests {
    static let frames = ["pricing", "tax", "python", "http"].map { Frame(name: "Shop.\($0)", kind: .app) }
    static let planted = Frame(name: "Shop.FraudScreening.scoreOrderRisk(orderID:)", kind: .app)

    /// `count` one-count samples, 1 ms apart, cycling through `mix` (name index, repeats).
    static func profile(count: Int, withPlanted: Bool) -> Profile {
        var profile = Profile(metadata: ProfileMetadata(kind: .cpu, hz: 999, unwindMode: .fp))
        let pattern = [0, 0, 0, 1, 1, 2, 2, 3, 3] + (withPlanted ? [4] : [])
        for i in 0..<count {
            let index = pattern[i % pattern.count]
            let frame = index == 4 ? planted : frames[index]
            profile.add(stack: [frame], value: 1, labels: SampleLabels(timestampNs: UInt64(i) * 1_000_000))
        }
        return profile
    }

    @Test("a pilot plans more samples than it has, and the plan reaches the target power")
    func plans() throws {
        let sizing = try #require(CanarySizing.plan(pilotBase: Self.profile(count: 600, withPlanted: false),
                                                    pilotCandidate: Self.profile(count: 600, withPlanted: true),
                                                    function: "FraudScreening.scoreOrderRisk"))
        #expect(sizing.function == Self.planted.name)
        #expect(abs(sizing.pilotCandidateShare - 0.1) < 0.01)
        #expect(sizing.plannedCandidateShare < sizing.pilotCandidateShare)
        #expect(sizing.plannedDispersion >= 1)
        let needed = try #require(sizing.requiredSamples)
        #expect(needed > 600)
        #expect(sizing.gatePower(samples: needed) >= 0.999)
        #expect(sizing.topChangePower(samples: needed) >= 0.999)
        #expect(sizing.gatePower(samples: 100) < 0.999)
    }

    @Test("no plan when the candidate pilot lacks the function")
    func missing() {
        #expect(CanarySizing.plan(pilotBase: Self.profile(count: 600, withPlanted: false),
                                  pilotCandidate: Self.profile(count: 600, withPlanted: false), function: "FraudScreening") == nil)
    }
}
