import Testing
@testable import ProfileModel

@Suite struct FoldedCodecTests {
    @Test func encodesTheStoredExpectedFile() throws {
        try FixtureFiles.expectMatches(FoldedCodec.encode(TestProfiles.cpu()), "cpu.folded")
    }

    @Test func roundTripKeepsStacksValuesAndKinds() throws {
        let original = TestProfiles.cpu()
        let decoded = try FoldedCodec.decode(FoldedCodec.encode(original))
        #expect(TestProfiles.stackTotals(decoded) == TestProfiles.stackTotals(original))
        let python = try #require(decoded.frames.first { $0.kind == .python })
        #expect(python.file == "services/shop/python/worker.py" && python.line == 12 && python.name == "Worker.score")
    }

    @Test func toleratesCRLFAndBlankLines() throws {
        let text = "\r\n\r\nmain;work 3\r\n  \nmain;idle 2\n"
        let p = try FoldedCodec.decode(text)
        #expect(p.totalValue == 5)
        #expect(p.frames.map(\.name) == ["main", "work", "idle"])
    }

    @Test func namesWithSpacesKeepTheLastTokenAsCount() throws {
        let p = try FoldedCodec.decode("Shop.a(Swift.Int) -> Swift.Int;Shop.b() -> () 7\n")
        #expect(p.frames.map(\.name) == ["Shop.a(Swift.Int) -> Swift.Int", "Shop.b() -> ()"])
        #expect(p.frames.allSatisfy { $0.kind == .app })
        #expect(p.totalValue == 7)
    }

    @Test func kernelSuffixIsStrippedAndKept() throws {
        let p = try FoldedCodec.decode("main;read;ksys_read_[k] 1\n")
        #expect(p.frames[2] == Frame(name: "ksys_read", kind: .kernel))
        #expect(FoldedCodec.encode(p) == "main;read;ksys_read_[k] 1\n")
    }

    @Test func swiftAsyncSuffixIsStrippedAndKept() throws {
        let p = try FoldedCodec.decode("main;Shop.handler()_[async];Shop.b() 1\n")
        #expect(p.frames[1] == Frame(name: "Shop.handler()", kind: .swiftAsync))
        #expect(FoldedCodec.encode(p) == "main;Shop.handler()_[async];Shop.b() 1\n")
    }

    @Test func differentialRoundTrip() throws {
        let text = "main;a 10 0\nmain;b 5 7\nmain;c 0 3\n"
        let (base, cand) = try FoldedCodec.decodeDifferential(text)
        #expect(base.totalValue == 15 && cand.totalValue == 10)
        #expect(FoldedCodec.encodeDifferential(base: base, candidate: cand) == text)
    }

    @Test(arguments: [
        ("main;a\n", "failed to parse folded at line 1: expected `stack count`, found no stack before the count"),
        ("main;a 1\nmain;b x2\n", "failed to parse folded at line 2: count 'x2' is not a non-negative integer"),
        ("# a comment\nmain;a 1\n", "failed to parse folded at line 1: count 'comment' is not a non-negative integer"),
        ("main;a 1.5\n", "failed to parse folded at line 1: count '1.5' is not a non-negative integer"),
        ("main;;a 1\n", "failed to parse folded at line 1: frame 2 of the stack is empty"),
        ("main;a 99999999999999999999\n", "failed to parse folded at line 1: count overflows a 64-bit integer"),
        ("", "failed to parse folded: no stacks in input (empty input)"),
        ("\n\n  \n", "failed to parse folded: no stacks in input (empty input)"),
    ])
    func malformedInputNamesTheLine(input: String, message: String) {
        #expect(throws: ProfileParseError.self) { try FoldedCodec.decode(input) }
        do {
            _ = try FoldedCodec.decode(input)
        } catch {
            #expect("\(error)" == message)
        }
    }

    @Test func differentialNeedsTwoCounts() {
        do {
            _ = try FoldedCodec.decodeDifferential("main;a 1\n")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)" == "failed to parse folded at line 1: expected `stack base_count cand_count`, found no stack before the count")
        }
    }

    @Test func emptyStacksEncodeAsUnknown() throws {
        var p = Profile()
        p.add(stack: [], value: 4)
        #expect(FoldedCodec.encode(p) == "[unknown] 4\n")
        #expect(try FoldedCodec.decode(FoldedCodec.encode(p)).totalValue == 4)
    }

    @Test func callersAddTheFileName() {
        let error = ProfileParseError(format: "folded", location: .line(3), reason: "bad").naming(file: "in.folded")
        #expect(error.description == "failed to parse folded file in.folded at line 3: bad")
    }

    @Test func totalOverflowIsAnError() {
        let big = Int64.max
        #expect(throws: ProfileParseError.self) { try FoldedCodec.decode("a \(big)\nb \(big)\n") }
    }
}

@Suite struct ProfileFormatTests {
    @Test func formatFromFileNameAndContent() throws {
        #expect(ProfileFormat(fileName: "x.pb.gz") == .pprof)
        #expect(ProfileFormat(fileName: "x.speedscope.json") == .speedscope)
        #expect(ProfileFormat(fileName: "out.FOLDED") == .folded)
        #expect(ProfileFormat(fileName: "x.svg") == nil)
        #expect(ProfileFormat(fileName: "x.json") == .speedscope)
        #expect(ProfileFormat(fileName: "x.pprof.gz") == .pprof)
        #expect(ProfileFormat.detect(fileName: "noext", bytes: Array("a;b 1\n".utf8)) == .folded)
        #expect(ProfileFormat.detect(fileName: "x.folded", bytes: [0x1f, 0x8b]) == .folded)
        #expect(ProfileFormat.path("out.pb.gz", splitFor: .cpu) == "out.cpu.pb.gz")
        #expect(ProfileFormat.path("out.JSON", splitFor: .offcpu) == "out.offcpu.JSON")
        #expect(ProfileFormat.path("out", splitFor: .cpu) == "out.cpu")
        for format in ProfileFormat.allCases {
            let bytes = try format.encode(TestProfiles.cpu())
            #expect(ProfileFormat.sniff(bytes) == format)
            #expect(try format.decode(bytes).totalValue == TestProfiles.cpu().totalValue)
        }
    }
}
