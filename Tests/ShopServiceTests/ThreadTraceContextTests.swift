import Foundation
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

/// The process context (OTEP 4719) as a reader finds it: one OTEL_CTX mapping in /proc/self/maps whose
/// header has the signature, version 2, a non-zero timestamp and a payload that `protoc --decode_raw`
/// (an independent protobuf reader) shows as ProcessContext { resource { service.name }, attributes }.
@Suite(.serialized) struct ProcessContextTests {
    @Test func publishedAsTheSpecReadsIt() throws {
        try ThreadTraceContext.publishProcessContext(serviceName: "flamelab-test")
        let first = try Self.readHeader()
        try ThreadTraceContext.publishProcessContext(serviceName: "flamelab-test-2")  // the update protocol
        let second = try Self.readHeader()
        #expect(second.start == first.start, "an update must reuse the one mapping")
        #expect(second.publishedAt > first.publishedAt)
        let protoc = "/usr/bin/protoc"
        guard FileManager.default.isExecutableFile(atPath: protoc) else {
            Issue.record("failed to find \(protoc): apt-get install protobuf-compiler")
            return
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("otel-ctx-\(getpid()).pb")
        try Data(second.payload).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: protoc)
        process.arguments = ["--decode_raw"]
        process.standardInput = try FileHandle(forReadingFrom: file)
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let compact = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        #expect(compact.hasPrefix(#"1 { 1 { 1: "service.name" 2 { 1: "flamelab-test-2" } } }"#), "\(text)")
        #expect(compact.contains(#"2 { 1: "threadlocal.schema_version" 2 { 1: "tlsdesc_v1_dev" } }"#), "\(text)")
        #expect(compact.contains(#"2 { 1: "threadlocal.attribute_key_map" 2 { 5: "" } }"#), "\(text)")
    }

    struct Header {
        let start: UInt64
        let publishedAt: UInt64
        let payload: [UInt8]
    }

    /// Finds the mapping as readers do (name `/memfd:OTEL_CTX` or `[anon:OTEL_CTX]`) and checks its header.
    static func readHeader() throws -> Header {
        // Read to the end: /proc files report size 0, which whole-file readers take at its word.
        let maps = String(decoding: try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/maps")).readToEnd() ?? Data(), as: UTF8.self)
        let lines = maps.split(separator: "\n").filter { $0.contains("/memfd:OTEL_CTX") || $0.contains("[anon:OTEL_CTX]") }
        #expect(lines.count == 1, "one process context per process: \(lines)")
        let range = try #require(lines.first?.split(separator: " ").first?.split(separator: "-"))
        let start = try #require(UInt64(range[0], radix: 16)), end = try #require(UInt64(range[1], radix: 16))
        let base = try #require(UnsafeRawPointer(bitPattern: UInt(start)))
        #expect(String(decoding: UnsafeRawBufferPointer(start: base, count: 8), as: UTF8.self) == "OTEL_CTX")
        #expect(base.loadUnaligned(fromByteOffset: 8, as: UInt32.self) == 2)
        let size = Int(base.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
        let publishedAt = base.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
        let payload = base.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
        #expect(publishedAt != 0)
        #expect(payload >= start && payload + UInt64(size) <= end, "the payload lies in the mapping")
        let bytes = UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: UInt(payload)), count: size)
        return Header(start: start, publishedAt: publishedAt, payload: Array(bytes))
    }
}
