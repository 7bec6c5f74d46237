import Testing
import ShopService
import W3CTraceContext

@Suite struct TraceContextTests {
    @Test func parsesAValidTraceparent() throws {
        let header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let context = try #require(TraceContext.parse(traceparent: header))
        #expect(context.traceIDHex == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(context.spanIDHex == "00f067aa0ba902b7")
        #expect(context.sampled)
        #expect(context.traceparent == header)
    }

    @Test func childKeepsTheTraceAndChangesTheSpan() throws {
        let parent = TraceContext.random()
        let child = parent.child()
        #expect(child.traceID == parent.traceID)
        #expect(child.spanID != parent.spanID)
    }

    @Test(arguments: [
        "", "00", "garbage", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",   // all-zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",   // all-zero span id
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   // forbidden version
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",   // uppercase
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",    // short trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", // version 00 has exactly 4 fields
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
    ])
    func rejectsMalformedTraceparent(_ header: String) {
        #expect(TraceContext.parse(traceparent: header) == nil)
    }

    /// A batch of generated malformed headers: one random byte mutation of a valid header each.
    /// Every result is either nil or a context that round-trips: never a crash, never garbage ids.
    @Test func generatedMutationsNeverCrashOrProduceInvalidIDs() {
        var rng = SplitMix64(seed: 42)
        let valid = Array("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".utf8)
        let alphabet = Array("0123456789abcdefABCDEF-xz \t".utf8)
        var accepted = 0
        for _ in 0..<5_000 {
            var bytes = valid
            let position = Int(rng.next() % UInt64(bytes.count))
            switch rng.next() % 3 {
            case 0: bytes[position] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
            case 1: bytes.remove(at: position)
            default: bytes.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: position)
            }
            let header = String(decoding: bytes, as: UTF8.self)
            if let context = TraceContext.parse(traceparent: header) {
                accepted += 1
                #expect(context.traceID != .null && context.spanID != .null)
                #expect(TraceContext.parse(traceparent: context.traceparent) == context)
            }
        }
        #expect(accepted < 5_000)
    }
}

/// A small deterministic generator so the fuzz batch is reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}
