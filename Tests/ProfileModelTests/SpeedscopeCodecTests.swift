import Foundation
import Testing
@testable import ProfileModel

@Suite struct SpeedscopeCodecTests {
    @Test func encodesTheStoredExpectedFile() throws {
        try FixtureFiles.expectMatches(SpeedscopeCodec.encode(TestProfiles.cpu()), "cpu.speedscope.json")
        try FixtureFiles.expectMatches(SpeedscopeCodec.encode(TestProfiles.offCPU()), "offcpu.speedscope.json")
    }

    @Test func outputIsValidJSONWithTheSchemaFields() throws {
        let json = try JSONSerialization.jsonObject(with: Data(SpeedscopeCodec.encode(TestProfiles.cpu()).utf8)) as? [String: Any]
        let root = try #require(json)
        #expect(root["$schema"] as? String == SpeedscopeCodec.schemaURL)
        let profiles = try #require(root["profiles"] as? [[String: Any]])
        #expect(profiles[0]["type"] as? String == "sampled")
        let samples = try #require(profiles[0]["samples"] as? [[Int]])
        let weights = try #require(profiles[0]["weights"] as? [Int])
        #expect(samples.count == weights.count)
        // Root first: the first stack starts at start_thread (frame 0) and ends at compute (frame 2).
        #expect(samples[0] == [0, 1, 2])
    }

    @Test func roundTripKeepsStacksValuesAndKinds() throws {
        for original in [TestProfiles.cpu(), TestProfiles.offCPU()] {
            let decoded = try SpeedscopeCodec.decode(SpeedscopeCodec.encode(original))
            #expect(TestProfiles.stackTotals(decoded) == TestProfiles.stackTotals(original))
            #expect(decoded.metadata.kind == original.metadata.kind)
        }
    }

    @Test func readsSeveralSampledProfilesAndUnits() throws {
        let text = """
        {"$schema":"\(SpeedscopeCodec.schemaURL)","shared":{"frames":[{"name":"main"},{"name":"f","file":"w.py","line":3}]},
         "profiles":[{"type":"sampled","name":"t1","unit":"milliseconds","startValue":0,"endValue":3,"samples":[[0,1]],"weights":[2]},
                     {"type":"sampled","name":"t2","unit":"milliseconds","startValue":0,"endValue":1,"samples":[[0]],"weights":[1.5]}]}
        """
        let p = try SpeedscopeCodec.decode(text)
        #expect(p.metadata.kind == .offcpu)
        #expect(p.totalValue == 3_500_000)
        #expect(p.frames[1] == Frame(name: "f", module: "w.py", kind: .python, file: "w.py", line: 3))
    }

    @Test(arguments: [
        ("", "failed to parse speedscope: empty input"),
        ("{", "failed to parse speedscope: not valid JSON"),
        ("{\"shared\":{\"frames\":[]}}", "failed to parse speedscope at field profiles: missing"),
        ("{\"shared\":{\"frames\":[]},\"profiles\":[]}", "failed to parse speedscope at field profiles: no profiles"),
        ("{\"shared\":{\"frames\":[]},\"profiles\":[{\"type\":\"evented\",\"unit\":\"none\"}]}",
         "failed to parse speedscope at field profiles: no sampled profile (found: evented)"),
        ("{\"shared\":{\"frames\":[{\"name\":\"a\"}]},\"profiles\":[{\"type\":\"sampled\",\"unit\":\"none\",\"samples\":[[0],[3]],\"weights\":[1,1]}]}",
         "failed to parse speedscope at field profiles[0].samples[1][0]: frame index 3 out of range (1 frames)"),
        ("{\"shared\":{\"frames\":[{\"name\":\"a\"}]},\"profiles\":[{\"type\":\"sampled\",\"unit\":\"none\",\"samples\":[[0]],\"weights\":[]}]}",
         "failed to parse speedscope at field profiles[0].weights: has 0 entries but samples has 1"),
        ("{\"shared\":{\"frames\":[{\"name\":\"a\"}]},\"profiles\":[{\"type\":\"sampled\",\"unit\":\"bytes\",\"samples\":[],\"weights\":[]}]}",
         "failed to parse speedscope at field profiles[0].unit: unsupported unit 'bytes'"),
        ("{\"shared\":{\"frames\":[{\"name\":5}]},\"profiles\":[]}",
         "failed to parse speedscope at field shared.frames[0].name: expected String"),
    ])
    func malformedInputNamesTheField(input: String, message: String) {
        do {
            _ = try SpeedscopeCodec.decode(input)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".hasPrefix(message), "got: \(error)")
        }
    }
}
