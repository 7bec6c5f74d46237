import Foundation
import ProfileModel
import ProfileStore
import Testing

/// Labels and interning through the public API (`make test` builds release, so no @testable).
@Suite struct ProfileStoreLabelTests {
    private func profile(spans: [String], traces: [String?] = []) -> Profile {
        var profile = Profile(metadata: ProfileMetadata(kind: .cpu, hz: 99, unwindMode: .fp))
        for (index, span) in spans.enumerated() {
            let trace = index < traces.count ? traces[index] : "4bf92f3577b34da6a3ce929d0e0e4736"
            profile.add(stack: [Frame(name: "main"), Frame(name: "f\(index)")], value: 1,
                        labels: SampleLabels(traceID: trace.flatMap { TraceID(hex: $0) }, spanID: SpanID(hex: span), timestampNs: UInt64(index)))
        }
        return profile
    }

    @Test func spanIDsKeepEveryBitIncludingTheSignBit() throws {
        let fixture = try StoreFixture()
        let store = try fixture.openStore()
        let spans = ["0000000000000000", "00f067aa0ba902b7", "ffffffffffffffff", "8000000000000001", "7fffffffffffffff"]

        let run = try store.write(profile(spans: spans))

        #expect(try store.profile(query: .runs([run])).samples.map(\.labels.spanID) == spans.map { SpanID(hex: $0) })
    }

    @Test func upperCaseIDsComeBackLowerCase() throws {
        let fixture = try StoreFixture()
        let store = try fixture.openStore()

        let run = try store.write(profile(spans: ["00F067AA0BA902B7"], traces: ["4BF92F3577B34DA6A3CE929D0E0E4736"]))

        let labels = try #require(try store.profile(query: .runs([run])).samples.first?.labels)
        #expect(labels.spanID?.hex == "00f067aa0ba902b7")
        #expect(labels.traceID?.hex == "4bf92f3577b34da6a3ce929d0e0e4736")
    }

    @Test(arguments: ["00f067aa0ba902b", "00f067aa0ba902bz", "00f067aa0ba902b77", "00f067aa0ba902bé"])
    func malformedSpanIDsAreRefused(span: String) throws {
        // Ids are typed: a malformed one is refused where text becomes an id, so no sample can carry it.
        #expect(SpanID(hex: span) == nil)
        let fixture = try StoreFixture()
        let store = try fixture.openStore()
        let back = try store.profile(query: .runs([try store.write(profile(spans: [span]))]))
        #expect(back.samples.map(\.labels.spanID) == [nil])
    }

    @Test func aStackOfManyFramesRoundTrips() throws {
        let fixture = try StoreFixture()
        let store = try fixture.openStore()
        var original = Profile(metadata: ProfileMetadata(kind: .cpu, hz: 99, unwindMode: .dwarf))
        // 400 distinct frames: store ids above 127 take two varint bytes in the stack blob.
        let deep = (0..<400).map { (i: Int) in Frame(name: "frame\(i)", module: "m", kind: .native, file: "f.c", line: i) }
        original.add(stack: deep, value: 3, labels: .none)
        original.add(stack: Array(deep.reversed()), value: 4, labels: SampleLabels(timestampNs: 1))

        let back = try store.profile(query: .runs([try store.write(original)]))

        #expect(back == original)
    }

    @Test func reopeningTheStoreReusesItsFramesAndStacks() throws {
        let fixture = try StoreFixture()
        let first = try fixture.openStore().write(StoreFixture.sampleProfile())
        // A new store object (a new connection), as a later `lab record` would open.
        let store = try fixture.openStore()
        let second = try store.write(StoreFixture.sampleProfile())

        let merged = try store.profile(query: .runs([first, second]))

        #expect(merged.frames.count == StoreFixture.sampleProfile().frames.count)
        #expect(merged.stacks.count == StoreFixture.sampleProfile().stacks.count)
        #expect(merged.samples.count == 2 * StoreFixture.sampleProfile().samples.count)
    }
}
