import Testing
import ProfileModel

@Suite("seconds to nanoseconds")
struct NanosecondsTests {
    @Test("saturates instead of trapping on what people type")
    func saturates() {
        #expect(Nanoseconds.saturating(seconds: 1.5) == 1_500_000_000)
        #expect(Nanoseconds.saturating(seconds: 0) == 0)
        #expect(Nanoseconds.saturating(seconds: -3) == 0)
        #expect(Nanoseconds.saturating(seconds: .nan) == 0)
        #expect(Nanoseconds.saturating(seconds: 1e10 * 3600) == .max)
        #expect(Nanoseconds.saturating(seconds: .infinity) == .max)
        // 2^34 s: exact in a Double, and in nanoseconds still under what 64 bits hold.
        #expect(Nanoseconds.saturating(seconds: 17_179_869_184) == 17_179_869_184_000_000_000)
    }

    @Test("the last span before a moment is clamped at zero")
    func lastSpan() {
        #expect(Nanoseconds.last(2, endingAt: 5_000_000_000) == 3_000_000_000...5_000_000_000)
        #expect(Nanoseconds.last(10, endingAt: 5_000_000_000) == 0...5_000_000_000)
        #expect(Nanoseconds.last(1e10 * 3600, endingAt: 7) == 0...7)
        #expect(Nanoseconds.last(-1, endingAt: 7) == 7...7)
    }
}
