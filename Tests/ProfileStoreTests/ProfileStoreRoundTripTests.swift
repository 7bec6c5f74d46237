import Foundation
import ProfileModel
import ProfileStore
import Testing

@Suite struct ProfileStoreRoundTripTests {
    @Test func aProfileComesBackWithTheSameFramesStacksLabelsAndValues() throws {
        let fixture = try StoreFixture()
        let store = try fixture.openStore()
        let original = StoreFixture.sampleProfile()
        let run = try store.write(original, command: "flamelab-shop")

        let back = try store.profile(query: .runs([run]))

        #expect(back.metadata == original.metadata)
        #expect(back.samples.count == original.samples.count)
        for (a, b) in zip(original.samples, back.samples) {
            #expect(original.frames(ofStack: a.stackID) == back.frames(ofStack: b.stackID))
            #expect(a.value == b.value)
            #expect(a.labels == b.labels)
        }
        // Same content, interned in the same order, so the whole profile is equal.
        #expect(back == original)
    }

    @Test func aLargerSyntheticProfileRoundTrips() throws {
        let fixture = try StoreFixture()
        let store = try fixture.openStore()
        let original = SyntheticProfile(sampleCount: 4_000, distinctStacks: 300, seed: 7).make()
        let run = try store.write(original)

        let back = try store.profile(query: .runs([run]))

        #expect(back.samples.count == original.samples.count)
        #expect(back.totalValue == original.totalValue)
        #expect(zip(original.samples, back.samples).allSatisfy { a, b in
            a.labels == b.labels && a.value == b.value && original.frames(ofStack: a.stackID) == back.frames(ofStack: b.stackID)
        })
    }

    @Test func framesAndStacksAreInternedOnceAcrossRuns() throws {
        let fixture = try StoreFixture()
        let store = try fixture.openStore()
        let first = try store.write(StoreFixture.sampleProfile(version: "v1"))
        let second = try store.write(StoreFixture.sampleProfile(version: "v2"))

        let merged = try store.profile(query: .runs([first, second]))

        #expect(merged.samples.count == 10)
        #expect(merged.frames.count == StoreFixture.sampleProfile().frames.count)
        #expect(merged.stacks.count == StoreFixture.sampleProfile().stacks.count)
        #expect(merged.metadata.version == nil, "runs of two versions merge into no single version")
        #expect(merged.metadata.dropped == 6)
    }

    @Test func runsListTheirSettingsWithoutArguments() throws {
        let fixture = try StoreFixture()
        let store = try fixture.openStore()
        let run = try store.write(StoreFixture.sampleProfile(), host: "lab-host", command: "/usr/bin/python3 secret.py --token=abc")

        let runs = try store.runs()

        #expect(runs.count == 1)
        let stored = try #require(runs.first)
        #expect(stored.id == run)
        #expect(stored.command == "python3")
        #expect(stored.host == "lab-host")
        #expect(stored.service == "shop" && stored.version == "v1" && stored.kind == .cpu)
        #expect(stored.hz == 99 && stored.unwindMode == .dwarf && stored.dropped == 3)
        #expect(stored.sampleCount == 5 && stored.totalValue == 9)
    }

    @Test func badSamplesAreRefusedAndNothingIsStored() throws {
        // A trace id that is not hex cannot exist (`TraceID(hex:)` refuses it); a sample that points
        // at a stack the profile lacks is the malformed input the store can still be given.
        #expect(TraceID(hex: "not-hex") == nil)
        let fixture = try StoreFixture()
        let store = try fixture.openStore()
        // The public API cannot make such a profile; a decoded file can.
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(StoreFixture.sampleProfile())) as! [String: Any]
        json["samples"] = (json["samples"] as! [Any]) + [["stackID": 99, "value": 1, "labels": [String: Any]()]]
        let profile = try JSONDecoder().decode(Profile.self, from: JSONSerialization.data(withJSONObject: json))

        #expect(throws: FlamelabError.self) { try store.write(profile) }
        do {
            try store.write(profile)
        } catch {
            #expect("\(error)".hasPrefix("failed to write profile to store \(fixture.storePath): sample 5 points at stack"))
        }
        #expect(try store.runs().isEmpty, "a failed write rolls back its run")
    }
}
