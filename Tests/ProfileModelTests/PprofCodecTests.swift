import Foundation
import Testing
@testable import ProfileModel

@Suite struct PprofCodecTests {
    @Test func encodesTheStoredExpectedBytes() throws {
        try FixtureFiles.expectMatches(PprofCodec.encodeUncompressed(TestProfiles.cpu()), "cpu.pb")
        try FixtureFiles.expectMatches(PprofCodec.encodeUncompressed(TestProfiles.offCPU()), "offcpu.pb")
    }

    @Test func roundTripIsExact() throws {
        for original in [TestProfiles.cpu(), TestProfiles.offCPU(), TestProfiles.faults()] {
            let decoded = try PprofCodec.decode(try PprofCodec.encode(original))
            #expect(decoded == original)
        }
    }

    @Test func outputIsGzippedAndRawInputIsAccepted() throws {
        let gz = try PprofCodec.encode(TestProfiles.cpu())
        #expect(Gzip.isGzipped(gz))
        #expect(try Gzip.decompress(gz) == PprofCodec.encodeUncompressed(TestProfiles.cpu()))
        #expect(try PprofCodec.decode(PprofCodec.encodeUncompressed(TestProfiles.cpu())) == TestProfiles.cpu())
    }

    /// perf's event name as the sample type, the period as pprof's, each value the faults a sample stands for.
    @Test func pageFaultsKeepTheirKindRateAndWeights() throws {
        let decoded = try PprofCodec.decode(PprofCodec.encodeUncompressed(TestProfiles.faults()))
        #expect(decoded.metadata.kind == .faults && decoded.metadata.faultPeriod == 64 && decoded.metadata.valueUnit == .faults)
        #expect(decoded.samples.map(\.value) == [64, 64])
        #expect(SpeedscopeWriter.unit(decoded.metadata.valueUnit) == "none")
    }

    @Test func cpuValuesAndPeriod() throws {
        let decoded = try PprofCodec.decode(PprofCodec.encodeUncompressed(TestProfiles.cpu()))
        #expect(decoded.metadata.hz == 99)
        #expect(decoded.totalValue == 17)
        #expect(decoded.samples[0].labels.traceID == TestProfiles.traceA)
    }

    /// `protoc --decode` against Fixtures/profile.proto is a reader that is not our code.
    @Test(.enabled(if: ProtocRunner.isAvailable || FixtureFiles.isCI, "protoc not installed (apt-get install protobuf-compiler)"))
    func protocReadsTheOutput() throws {
        let cpuText = try ProtocRunner.decode(PprofCodec.encodeUncompressed(TestProfiles.cpu()))
        try FixtureFiles.expectMatches(cpuText, "cpu.pb.protoc.txt")
        #expect(cpuText.contains("string_table: \"trace_id\""))
        #expect(cpuText.contains("string_table: \"\(TestProfiles.traceA)\""))
        let offText = try ProtocRunner.decode(PprofCodec.encodeUncompressed(TestProfiles.offCPU()))
        try FixtureFiles.expectMatches(offText, "offcpu.pb.protoc.txt")
        #expect(offText.contains("string_table: \"off_cpu\""))
    }

    /// The first sample's leaf is location 3 (compute), per protoc's own reading.
    @Test(.enabled(if: ProtocRunner.isAvailable || FixtureFiles.isCI, "protoc not installed (apt-get install protobuf-compiler)"))
    func locationZeroIsTheLeafPerProtoc() throws {
        let text = try ProtocRunner.decode(PprofCodec.encodeUncompressed(TestProfiles.cpu()))
        let firstSample = try #require(text.components(separatedBy: "sample {").dropFirst().first)
        #expect(firstSample.contains("location_id: 3\n  location_id: 2\n  location_id: 1\n"))
    }

    @Test func foreignProfileWithoutKindTagsGetsHeuristicKinds() throws {
        var w = ProtobufWriter()
        func valueType(_ field: Int, _ t: Int64, _ u: Int64) {
            var v = ProtobufWriter(); v.int64(1, t); v.int64(2, u); w.lengthDelimited(field, v.bytes)
        }
        valueType(1, 1, 2)  // cpu/nanoseconds only
        var function = ProtobufWriter(); function.uint64(1, 1); function.int64(2, 3)
        w.lengthDelimited(5, function.bytes)
        var line = ProtobufWriter(); line.uint64(1, 1)
        var location = ProtobufWriter(); location.uint64(1, 1); location.lengthDelimited(4, line.bytes)
        w.lengthDelimited(4, location.bytes)
        var sample = ProtobufWriter(); sample.packed(1, [1]); sample.packed(2, [10_000_000])
        w.lengthDelimited(2, sample.bytes)
        for s in ["", "cpu", "nanoseconds", "_PyEval_EvalFrameDefault"] { w.lengthDelimited(6, Array(s.utf8)) }
        let p = try PprofCodec.decode(w.bytes)
        #expect(p.frames == [Frame(name: "_PyEval_EvalFrameDefault", kind: .interpreter)])
        #expect(p.totalValue == 10_000_000 && p.metadata.kind == .cpu)
        // With a period (as Go writes: 10 ms at 100 Hz), nanoseconds become sample counts.
        w.int64(12, 10_000_000)
        valueType(11, 1, 2)
        let counted = try PprofCodec.decode(w.bytes)
        #expect(counted.totalValue == 1 && counted.metadata.hz == 100)
    }

    @Test(arguments: [
        ([UInt8](), "failed to parse pprof: empty input"),
        ([0x1f, 0x8b, 0x08], "failed to parse pprof: truncated gzip stream"),
        ([0x0a, 0x05, 0x08], "failed to parse pprof at field Profile (field #1): field 1 claims 5 bytes but only 1 remain"),
        ([0x08, 0x96], "failed to parse pprof at field Profile (field #1): truncated varint"),
        ([0x48, 0x01], "failed to parse pprof at field Profile.sample_type: missing: not a pprof profile"),
        ([0x0a, 0x00], "failed to parse pprof at field Profile.string_table: missing"),
        ([0x0a, 0x02, 0x08, 0x05, 0x32, 0x00], "failed to parse pprof at field Profile.sample_type[0].type: string index 5 out of range (table has 1)"),
        ([0x0a, 0x00, 0x32, 0x00, 0x12, 0x04, 0x0a, 0x01, 0x07, 0x10], "failed to parse pprof at field Profile.sample[0]: truncated varint"),
        ([0x0a, 0x00, 0x32, 0x00, 0x12, 0x05, 0x0a, 0x01, 0x07, 0x10, 0x01], "failed to parse pprof at field Profile.sample[0].location_id: unknown location id 7"),
        ([0x0a, 0x00, 0x32, 0x00, 0x12, 0x0b, 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], "failed to parse pprof at field Profile.sample[0].value: negative value -1"),
        ([0x0a, 0x00, 0x32, 0x00, 0x12, 0x00], "failed to parse pprof at field Profile.sample[0].value: has 0 values but sample_type has 1"),
        ([0x0a, 0x00, 0x32, 0x00, 0x12, 0x02, 0x10, 0x01, 0x1a, 0x00], "failed to parse pprof at field Profile.mapping[0].id: mapping id 0 is reserved"),
    ] as [([UInt8], String)])
    func malformedInputNamesTheField(bytes: [UInt8], message: String) {
        do {
            _ = try PprofCodec.decode(bytes)
            Issue.record("expected an error for \(bytes)")
        } catch {
            #expect("\(error)" == message)
        }
    }
}

/// Runs Debian's `protoc --decode` on bytes, with Fixtures/profile.proto as the schema.
enum ProtocRunner {
    static let path = "/usr/bin/protoc"
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: path) }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func decode(_ bytes: [UInt8]) throws -> String {
        guard isAvailable else { throw Failure(description: "failed to run protoc: \(path) not found (CI needs protobuf-compiler)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--proto_path=\(FixtureFiles.directory.path)", "--decode=perftools.profiles.Profile", "profile.proto"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Write and read concurrently-safe: the inputs are small, so write all, close, then read.
        input.fileHandleForWriting.write(Data(bytes))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "failed to decode with protoc: \(String(decoding: err, as: UTF8.self))")
        }
        return String(decoding: out, as: UTF8.self)
    }
}
