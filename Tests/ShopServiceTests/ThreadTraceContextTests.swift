import Testing
import ShopService
import W3CTraceContext

/// The shop publishes each request's ids in OpenTelemetry's thread-context record (otel_thread_ctx_v1);
/// reading them back on the thread checks the W3C byte order and the clear after the request.
@Suite struct ThreadTraceContextTests {
    @Test func publishedWhileTheBodyRunsAndClearedAfter() throws {
        let context = try #require(TraceContext.parse(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        let inside = ThreadTraceContext.with(context) { ThreadTraceContext.currentTraceIDHex() }
        #expect(inside == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(ThreadTraceContext.currentTraceIDHex() == nil)
    }

    @Test func aSecondPublishReplacesTheFirst() {
        let first = TraceContext.random(), second = TraceContext.random()
        ThreadTraceContext.publish(first)
        ThreadTraceContext.publish(second)
        #expect(ThreadTraceContext.currentTraceIDHex() == second.traceIDHex)
        ThreadTraceContext.clear()
        #expect(ThreadTraceContext.currentTraceIDHex() == nil)
    }
}
