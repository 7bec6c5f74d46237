import Foundation
import Testing
@testable import ProfileModel

/// SplitMix64: a tiny deterministic generator, so a failing input can be replayed from its seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Feeds thousands of generated malformed inputs to each decoder: each must return a profile or
/// throw `ProfileParseError`, never crash (a trap ends the test process) or hang.
@Suite struct DecoderFuzzTests {
    static let inputsPerDecoder = 3000

    /// Damages `seed` bytes: flips, inserts, deletes, truncates, splices random runs.
    static func mutate(_ seed: [UInt8], _ rng: inout SeededGenerator, alphabet: [UInt8]) -> [UInt8] {
        var bytes = seed
        for _ in 0..<Int.random(in: 1...6, using: &rng) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0 where !bytes.isEmpty: bytes[position] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            case 1: bytes.insert(alphabet.randomElement(using: &rng)!, at: position)
            case 2 where !bytes.isEmpty: bytes.remove(at: position)
            case 3: bytes = Array(bytes.prefix(position))
            case 4 where !bytes.isEmpty: bytes[position] = alphabet.randomElement(using: &rng)!
            default:
                let run = (0..<Int.random(in: 1...12, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                bytes.insert(contentsOf: run, at: position)
            }
        }
        return bytes
    }

    /// Runs `decode` on every input; returns (accepted, rejected) and records unexpected errors.
    static func run(_ inputs: [[UInt8]], _ decode: ([UInt8]) throws -> Profile) -> (Int, Int) {
        var accepted = 0, rejected = 0
        for input in inputs {
            do {
                _ = try decode(input)
                accepted += 1
            } catch is ProfileParseError {
                rejected += 1
            } catch {
                Issue.record("unexpected error type \(type(of: error)): \(error) for input \(input.prefix(64))")
            }
        }
        return (accepted, rejected)
    }

    static func inputs(from seeds: [[UInt8]], seed: UInt64, alphabet: [UInt8]) -> [[UInt8]] {
        var rng = SeededGenerator(seed: seed)
        return (0..<inputsPerDecoder).map { i in mutate(seeds[i % seeds.count], &rng, alphabet: alphabet) }
    }

    @Test func foldedDecoderSurvivesMalformedInput() {
        let seeds = [Array(FoldedCodec.encode(TestProfiles.cpu()).utf8),
                     Array(FoldedCodec.encodeDifferential(base: TestProfiles.cpu(), candidate: TestProfiles.offCPU()).utf8)]
        let inputs = Self.inputs(from: seeds, seed: 1, alphabet: Array("0123456789; \n\r\t#_[k]()x.".utf8))
        let (accepted, rejected) = Self.run(inputs) { try FoldedCodec.decode($0) }
        _ = Self.run(inputs) { try FoldedCodec.decodeDifferential($0).base }
        #expect(accepted + rejected == Self.inputsPerDecoder)
        #expect(rejected > 100, "the mutations should produce many invalid inputs, got \(rejected)")
    }

    @Test func pprofDecoderSurvivesMalformedInput() throws {
        let raw = PprofCodec.encodeUncompressed(TestProfiles.cpu())
        let seeds = [raw, PprofCodec.encodeUncompressed(TestProfiles.offCPU()), try PprofCodec.encode(TestProfiles.cpu())]
        let inputs = Self.inputs(from: seeds, seed: 2, alphabet: [0x00, 0x01, 0x08, 0x0a, 0x10, 0x12, 0x1a, 0x22, 0x32, 0x7f, 0x80, 0xff])
        let (accepted, rejected) = Self.run(inputs) { try PprofCodec.decode($0) }
        #expect(accepted + rejected == Self.inputsPerDecoder)
        #expect(rejected > 100, "got \(rejected) rejections")
    }

    /// Well-formed wire data with random fields and ids: gets past the wire layer to the checks of
    /// ids, string indices and value counts.
    @Test func pprofDecoderSurvivesStructurallyValidNonsense() {
        var rng = SeededGenerator(seed: 5)
        func message(depth: Int) -> [UInt8] {
            var w = ProtobufWriter()
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                let field = Int.random(in: 1...6, using: &rng)
                if depth < 2 && Bool.random(using: &rng) {
                    w.lengthDelimited(field, message(depth: depth + 1))
                } else {
                    w.uint64(field, UInt64.random(in: 0...8, using: &rng))
                }
            }
            return w.bytes
        }
        var inputs: [[UInt8]] = []
        for _ in 0..<2000 {
            var w = ProtobufWriter()
            w.lengthDelimited(1, message(depth: 1))
            for _ in 0..<Int.random(in: 0...12, using: &rng) {
                w.lengthDelimited(Int.random(in: 2...5, using: &rng), message(depth: 1))
            }
            for text in ["", "samples", "count", "trace_id", "x"].prefix(Int.random(in: 0...5, using: &rng)) {
                w.lengthDelimited(6, Array(text.utf8))
            }
            inputs.append(w.bytes)
        }
        let (accepted, rejected) = Self.run(inputs) { try PprofCodec.decode($0) }
        #expect(accepted + rejected == inputs.count)
        #expect(accepted > 0 && rejected > 0, "accepted \(accepted), rejected \(rejected)")
    }

    @Test func speedscopeDecoderSurvivesMalformedInput() {
        let seeds = [Array(SpeedscopeCodec.encode(TestProfiles.cpu()).utf8), Array(SpeedscopeCodec.encode(TestProfiles.offCPU()).utf8)]
        let inputs = Self.inputs(from: seeds, seed: 3, alphabet: Array("{}[],:\"0123456789-.e nulltrue".utf8))
        let (accepted, rejected) = Self.run(inputs) { try SpeedscopeCodec.decode($0) }
        #expect(accepted + rejected == Self.inputsPerDecoder)
        #expect(rejected > 100, "got \(rejected) rejections")
    }

    @Test func randomBytesAreRejectedByEveryDecoder() {
        var rng = SeededGenerator(seed: 4)
        let inputs = (0..<1000).map { _ in (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) } }
        _ = Self.run(inputs) { try FoldedCodec.decode($0) }
        _ = Self.run(inputs) { try PprofCodec.decode($0) }
        _ = Self.run(inputs) { try SpeedscopeCodec.decode($0) }
    }
}
