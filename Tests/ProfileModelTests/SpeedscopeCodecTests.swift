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

    @Test func awkwardNamesRoundTripAndStayValidJSON() throws {
        var p = Profile()
        let names = ["quote\"back\\slash", "line\nbreak\ttab\u{1}", "é 😀 ünïcode", "/slash/"]
        p.add(stack: names.map { Frame(name: $0, kind: .native) }, value: 2)
        let text = SpeedscopeCodec.encode(p)
        let foundation = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        let frames = (foundation?["shared"] as? [String: Any])?["frames"] as? [[String: Any]]
        #expect(frames?.compactMap { $0["name"] as? String } == names)
        #expect(try SpeedscopeCodec.decode(text).frames.map(\.name) == names)
    }

    @Test func parserReadsEscapesAndNumbersLikeFoundation() throws {
        let text = #"{"shared":{"frames":[{"name":"\u00e9\ud83d\ude00\/x","line":1e1}]},"profiles":[{"type":"sampled","unit":"seconds","samples":[[0],[]],"weights":[2.5E-9,-0.0]}]}"#
        let p = try SpeedscopeCodec.decode(text)
        #expect(p.frames[0].name == "é😀/x" && p.frames[0].line == 10)
        #expect(p.samples.map(\.value) == [3, 0])
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
        ("{", "failed to parse speedscope at line 1: invalid JSON at column 2: expected a string key"),
        ("{\"a\":\n [1,,2]}", "failed to parse speedscope at line 2: invalid JSON at column 5: unexpected character ','"),
        (String(repeating: "[", count: 1000), "failed to parse speedscope at line 1: invalid JSON at column 257: nesting deeper than 256 levels"),
        ("{\"shared\":{\"frames\":[]}}", "failed to parse speedscope at field profiles: missing"),
        ("{\"shared\":{\"frames\":[]},\"profiles\":[]}", "failed to parse speedscope at field profiles: no profiles"),
        ("{\"shared\":{\"frames\":[]},\"profiles\":[{\"type\":\"evented\",\"unit\":\"none\"}]}",
         "failed to parse speedscope at field profiles: no sampled profile (found: evented)"),
        ("{\"shared\":{\"frames\":[{\"name\":\"a\"}]},\"profiles\":[{\"type\":\"sampled\",\"unit\":\"none\",\"samples\":[[0],[3]],\"weights\":[1,1]}]}",
         "failed to parse speedscope at field profiles[0].samples[1][0]: frame index 3.0 is not one of the 1 frames"),
        ("{\"shared\":{\"frames\":[{\"name\":\"a\"}]},\"profiles\":[{\"type\":\"sampled\",\"unit\":\"none\",\"samples\":[[0]],\"weights\":[]}]}",
         "failed to parse speedscope at field profiles[0].weights: has 0 entries but samples has 1"),
        ("{\"shared\":{\"frames\":[{\"name\":\"a\"}]},\"profiles\":[{\"type\":\"sampled\",\"unit\":\"bytes\",\"samples\":[],\"weights\":[]}]}",
         "failed to parse speedscope at field profiles[0].unit: unsupported unit 'bytes'"),
        ("{\"shared\":{\"frames\":[{\"name\":5}]},\"profiles\":[]}",
         "failed to parse speedscope at field shared.frames[0].name: expected a string, found a number"),
    ])
    func malformedInputNamesTheField(input: String, message: String) {
        do {
            _ = try SpeedscopeCodec.decode(input)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)" == message)
        }
    }
}
