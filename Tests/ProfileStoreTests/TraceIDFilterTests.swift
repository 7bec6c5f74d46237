import ProfileModel
import Testing
@testable import ProfileStore

@Suite struct TraceIDFilterTests {
    @Test("a window's filter holds every id it was built from, and lets few others through")
    func holdsItsIdsAndFewOthers() throws {
        let held = (0..<250).map { _ in TraceID.random() }
        let filter = TraceIDFilter(ids: held)
        #expect(filter.bytes.count == 512, "250 ids get 4096 bits (at least 10 per id, a power of two)")
        #expect(held.allSatisfy(filter.mayContain))
        let others = (0..<20_000).map { _ in TraceID.random() }
        let falseMatches = others.filter(filter.mayContain).count
        // About 0.2% at 16 bits per id with 4 probes; 2% would mean the probes are not independent.
        #expect(falseMatches < 400, "\(falseMatches) of 20000 other ids passed")
    }

    @Test("a stored filter reads back; a blob of another length is not taken for one")
    func storedFiltersRoundTrip() throws {
        let filter = TraceIDFilter(ids: [TraceID(high: 1, low: 2)!])
        #expect(TraceIDFilter(stored: filter.bytes) == filter)
        #expect(TraceIDFilter(stored: [1, 2, 3]) == nil)
        #expect(TraceIDFilter(stored: [UInt8](repeating: 0, count: 24)) == nil)
    }

    @Test("a trace search finds its trace through the filters and skips windows without it")
    func storeSearchUsesTheFilters() throws {
        let fixture = try StoreFixture()
        let store = try fixture.openStore()
        let wanted = TraceID.random()
        var profiles: [Profile] = []
        for window in 0..<3 {
            var profile = Profile(metadata: ProfileMetadata(kind: .cpu, hz: 99))
            let frame = Frame(name: "work\(window)", module: "shop", kind: .native)
            profile.add(stack: [frame], value: 1, labels: SampleLabels(traceID: window == 1 ? wanted : TraceID.random()))
            profiles.append(profile)
        }
        let ids = try store.writeAll(profiles.enumerated().map { index, profile in
            (profile, StoredRun(id: RunID(0), service: "shop", version: "v1", pid: nil, kind: .cpu, hz: 99, unwindMode: .fp,
                                startUnixNs: UInt64(index + 1) * 1_000_000_000, endUnixNs: UInt64(index + 2) * 1_000_000_000,
                                monotonicStartNs: 0, dropped: 0, unreadable: 0, host: "h", command: "shop", sampleCount: 0, totalValue: 0))
        })
        #expect(ids.count == 3)
        let found = try store.profile(query: ProfileQuery(traceIDs: [wanted]))
        #expect(found.samples.count == 1)
        #expect(found.frames.map(\.name) == ["work1"])
    }
}
