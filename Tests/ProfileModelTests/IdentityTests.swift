import Foundation
import ProfileModel
import Testing

@Suite("Trace and span ids")
struct IdentityTests {
    static let trace = TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736")!
    static let span = SpanID(hex: "00f067aa0ba902b7")!

    @Test("hex, bytes and words agree, either case in, lowercase out")
    func hexBytesWords() throws {
        #expect(Self.trace.hex == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(Self.trace.high == 0x4bf92f3577b34da6 && Self.trace.low == 0xa3ce929d0e0e4736)
        #expect(TraceID(hex: "4BF92F3577B34DA6A3CE929D0E0E4736") == Self.trace)
        #expect(TraceID(bytes: Self.trace.bytes) == Self.trace)
        #expect(Self.trace.bytes.first == 0x4b && Self.trace.bytes.last == 0x36)
        #expect(Self.span.hex == "00f067aa0ba902b7" && Self.span.value == 0x00f067aa0ba902b7)
        #expect(SpanID(bytes: Self.span.bytes) == Self.span)
    }

    @Test("raw bytes (a ring-buffer record) read as the byte collection does; wrong lengths and zeros refused")
    func rawBytes() {
        Self.trace.bytes.withUnsafeBytes { #expect(TraceID(bytes: $0) == Self.trace) }
        Self.span.bytes.withUnsafeBytes { #expect(SpanID(bytes: $0) == Self.span) }
        [UInt8](repeating: 0, count: 16).withUnsafeBytes { #expect(TraceID(bytes: $0) == nil) }
        [UInt8](repeating: 1, count: 15).withUnsafeBytes { #expect(TraceID(bytes: $0) == nil) }
        [UInt8](repeating: 0, count: 8).withUnsafeBytes { #expect(SpanID(bytes: $0) == nil) }
        [UInt8](repeating: 1, count: 9).withUnsafeBytes { #expect(SpanID(bytes: $0) == nil) }
    }

    @Test("malformed and all-zero ids are refused (W3C)", arguments: ["", "zz", "4bf92f3577b34da6a3ce929d0e0e473", "4bf92f3577b34da6a3ce929d0e0e47361",
                                                                     "4bf92f3577b34da6a3ce929d0e0e473g", "00000000000000000000000000000000"])
    func malformedTrace(text: String) {
        #expect(TraceID(hex: text) == nil)
    }

    @Test func malformedSpan() {
        #expect(SpanID(hex: "0000000000000000") == nil)
        #expect(SpanID(hex: "00f067aa0ba902b") == nil)
        #expect(SpanID(bytes: [1, 2, 3]) == nil)
        #expect(TraceID(bytes: [UInt8](repeating: 0, count: 16)) == nil)
    }

    @Test("ids order as their hex does, and random ones are valid and distinct")
    func orderAndRandom() {
        let a = TraceID(hex: "0af7651916cd43dd8448eb211c80319c")!
        #expect(a < Self.trace && a.hex < Self.trace.hex)
        #expect(TraceID.random() != TraceID.random())
        #expect(SpanID.random() != SpanID.random())
    }

    @Test("JSON carries ids as hex strings and refuses bad ones")
    func json() throws {
        let labels = SampleLabels(traceID: Self.trace, spanID: Self.span)
        let data = try JSONEncoder().encode(labels)
        #expect(String(decoding: data, as: UTF8.self).contains("\"4bf92f3577b34da6a3ce929d0e0e4736\""))
        #expect(try JSONDecoder().decode(SampleLabels.self, from: data) == labels)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(TraceID.self, from: Data("\"nothex\"".utf8)) }
    }

    @Test("ids survive pprof both ways; folded and speedscope carry none")
    func codecs() throws {
        var profile = Profile(metadata: ProfileMetadata(kind: .cpu, hz: 99, unwindMode: .fp))
        profile.add(stack: [Frame(name: "main", kind: .app)], value: 1, labels: SampleLabels(traceID: Self.trace, spanID: Self.span))
        let back = try PprofCodec.decode(PprofCodec.encode(profile))
        #expect(back.samples.map(\.labels.traceID) == [Self.trace])
        #expect(back.samples.map(\.labels.spanID) == [Self.span])
        for format in [ProfileFormat.folded, .speedscope] {
            let decoded = try format.decode(try format.encode(profile))
            #expect(decoded.samples.allSatisfy { $0.labels.traceID == nil }, "\(format)")
        }
    }

    @Test("a pprof trace_id label that is not an id is an error naming the field")
    func pprofRejectsForeignTraceID() throws {
        var profile = Profile(metadata: ProfileMetadata(kind: .cpu, hz: 99))
        profile.add(stack: [Frame(name: "main", kind: .app)], value: 1, labels: SampleLabels(traceID: Self.trace))
        var bytes = try PprofCodec.encodeUncompressed(profile)
        // Overwrite the id's first hex digit in the string table with a non-hex letter.
        let needle = Array("4bf92f3577b34da6a3ce929d0e0e4736".utf8)
        let at = try #require((0...(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle })
        bytes[at] = UInt8(ascii: "z")
        #expect { try PprofCodec.decode(bytes) } throws: { "\($0)".contains("trace_id") && "\($0)".contains("not 32 hex digits") }
    }
}
