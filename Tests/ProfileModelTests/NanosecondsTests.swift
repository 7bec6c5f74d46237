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
        #expect(Nanoseconds.saturating(seconds: 18_446_744_073) == 18_446_744_073_000_000_000)
    }
}
