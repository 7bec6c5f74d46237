@testable import LabRuntime
import ProfileModel
import Testing

/// The load generator's `traceparent` (printed by swift-w3c-trace-context) carries flamelab's ids.
@Suite struct TraceParentTests {
    @Test func carriesTheTraceAndSpanIdsSampled() throws {
        let trace = try #require(TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736"))
        let span = try #require(SpanID(hex: "00f067aa0ba902b7"))
        #expect(TraceParent.header(trace: trace, span: span) == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
    }

    @Test func randomIdsRoundTrip() {
        for _ in 0..<100 {
            let trace = TraceID.random(), span = SpanID.random()
            let fields = TraceParent.header(trace: trace, span: span).split(separator: "-")
            #expect(fields.count == 4 && TraceID(hex: fields[1]) == trace && SpanID(hex: fields[2]) == span)
        }
    }
}
