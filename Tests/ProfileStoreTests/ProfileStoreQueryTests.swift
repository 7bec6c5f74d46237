import Foundation
import ProfileModel
import ProfileStore
import Testing

@Suite struct ProfileStoreQueryTests {
    /// Three runs: v1 cpu, v2 cpu, v2 offcpu.
    private func filledStore(_ fixture: StoreFixture) throws -> (ProfileStore, [RunID]) {
        let store = try fixture.openStore()
        let ids = [
            try store.write(StoreFixture.sampleProfile(version: "v1", startTime: 1_000)),
            try store.write(StoreFixture.sampleProfile(version: "v2", startTime: 5_000)),
            try store.write(StoreFixture.sampleProfile(version: "v2", kind: .offcpu, startTime: 9_000)),
        ]
        return (store, ids)
    }

    @Test("windows with different wall-clock anchors (a reboot between them) merge onto one timeline")
    func mergedWindowsKeepWallTimes() throws {
        let fixture = try StoreFixture()
        let store = try fixture.openStore()
        let s: UInt64 = 1_000_000_000
        func window(startUnix: UInt64, monotonicStart: UInt64, sampleAt monotonic: UInt64) -> Profile {
            var profile = Profile(metadata: ProfileMetadata(kind: .cpu, hz: 99, startUnixNs: startUnix, endUnixNs: startUnix + 10 * s,
                                                            monotonicStartNs: monotonicStart))
            profile.add(stack: [Frame(name: "main")], value: 1, labels: SampleLabels(pid: 1, timestampNs: monotonic))
            return profile
        }
        let ids = [try store.write(window(startUnix: 1_000 * s, monotonicStart: 50 * s, sampleAt: 51 * s)),
                   try store.write(window(startUnix: 2_000 * s, monotonicStart: 10 * s, sampleAt: 12 * s))]
        let merged = try store.profile(query: .runs(ids))
        let walls = merged.samples.compactMap { $0.labels.timestampNs.flatMap(merged.metadata.wallTimeNs(of:)) }.sorted()
        #expect(walls == [1_001 * s, 2_002 * s])
        #expect(merged.firstSampleUnixNs == 1_001 * s)
    }

    @Test func traceIDSelectsOnlyThatTracesSamples() throws {
        let fixture = try StoreFixture()
        let (store, ids) = try filledStore(fixture)

        let profile = try store.profile(query: .runs([ids[0]], traceIDs: [StoreFixture.traceA]))

        #expect(profile.samples.count == 2)
        #expect(profile.samples.allSatisfy { $0.labels.traceID == StoreFixture.traceA })
        #expect(profile.frames(ofStack: profile.samples[1].stackID).last?.name == "Worker.score")
    }

    @Test func upperCaseTraceIDsMatchToo() throws {
        let fixture = try StoreFixture()
        let (store, ids) = try filledStore(fixture)

        let profile = try store.profile(query: .runs([ids[0]], traceIDs: [TraceID(hex: StoreFixture.traceB.hex.uppercased())!]))

        #expect(profile.samples.map(\.value) == [2])
    }

    @Test func traceIDsAcrossRunsOfOneKind() throws {
        let fixture = try StoreFixture()
        let (store, _) = try filledStore(fixture)

        let profile = try store.profile(query: ProfileQuery(runs: RunFilter(kind: .cpu), traceIDs: [StoreFixture.traceA, StoreFixture.traceB]))

        #expect(profile.samples.count == 6)
        #expect(profile.metadata.kind == .cpu)
    }

    @Test func timeWindowSelectsSamplesByTimestamp() throws {
        let fixture = try StoreFixture()
        let (store, _) = try filledStore(fixture)

        let profile = try store.profile(query: ProfileQuery(runs: RunFilter(kind: .cpu), sampleTimeNs: 5_005...5_025))

        #expect(profile.samples.compactMap(\.labels.timestampNs) == [5_010, 5_020])
    }

    @Test func serviceAndVersionSelectRuns() throws {
        let fixture = try StoreFixture()
        let (store, ids) = try filledStore(fixture)

        #expect(try store.runs(filter: RunFilter(service: "shop", version: "v2")).map(\.id) == [ids[1], ids[2]])
        #expect(try store.runs(filter: RunFilter(service: "other")).isEmpty)
        let v1 = try store.profile(query: ProfileQuery(runs: RunFilter(service: "shop", version: "v1")))
        #expect(v1.samples.count == 5 && v1.metadata.version == "v1")
    }

    @Test func kindSelectsOffCPURuns() throws {
        let fixture = try StoreFixture()
        let (store, ids) = try filledStore(fixture)

        let offcpu = try store.profile(query: ProfileQuery(runs: RunFilter(kind: .offcpu)))

        #expect(offcpu.metadata.kind == .offcpu)
        #expect(offcpu.totalValue == 5_000 + 7_000 + 9_000 + 1_000 + 4)
        #expect(try store.runs(filter: RunFilter(kind: .offcpu)).map(\.id) == [ids[2]])
    }

    @Test func mixingKindsIsRefused() throws {
        let fixture = try StoreFixture()
        let (store, ids) = try filledStore(fixture)

        let error = #expect(throws: FlamelabError.self) { try store.profile(query: .runs(ids)) }
        #expect(error?.description.contains("have different kinds") == true)
    }

    @Test func wallClockWindowSelectsOverlappingRuns() throws {
        let fixture = try StoreFixture()
        let (store, _) = try filledStore(fixture)

        #expect(try store.runs(filter: RunFilter(overlappingUnixNs: 1_700_000_005_000_000_000...1_700_000_006_000_000_000)).count == 3)
        #expect(try store.runs(filter: RunFilter(overlappingUnixNs: 1_800_000_000_000_000_000...1_800_000_000_000_000_001)).isEmpty)
    }

    @Test func traceIDsOfARunAreListed() throws {
        let fixture = try StoreFixture()
        let (store, ids) = try filledStore(fixture)

        #expect(try store.traceIDs(run: ids[0]) == [StoreFixture.traceB, StoreFixture.traceA])
    }

    @Test func anEmptySelectionIsAnEmptyProfile() throws {
        let fixture = try StoreFixture()
        let (store, ids) = try filledStore(fixture)

        let profile = try store.profile(query: .runs([ids[0]], traceIDs: [TraceID(hex: "ffffffffffffffffffffffffffffffff")!]))

        #expect(profile.samples.isEmpty)
    }

    @Test func theBenchmarkAnswersCorrectlyAtSmallScale() throws {
        let fixture = try StoreFixture()

        let result = try ProfileStoreBenchmark.run(samples: 20_000, directory: fixture.directory, traceIDCount: 20, repetitions: 2)

        #expect(result.samples == 20_000)
        #expect(result.queriedTraceIDs == 20)
        // samplesPerTrace is 8 per thread: every picked trace has 1...8 samples.
        #expect(result.traceQuerySamples >= 20 && result.traceQuerySamples <= 160)
        #expect(result.fileBytes > 0)
        #expect(result.tracedSamples > 5_000 && result.tracedSamples < 15_000)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.directory).isEmpty, "the benchmark removes its store")
    }
}

@Suite struct WindowLossesTests {
    private func row(pid: Int32, kind: ProfileKind, start: UInt64, monotonic: UInt64, dropped: Int64) -> StoredRun {
        StoredRun(id: RunID(0), service: "shop", version: "v1", pid: pid, kind: kind, hz: 99, unwindMode: .fp, startUnixNs: start,
                  endUnixNs: start + 10, monotonicStartNs: monotonic, dropped: dropped, unreadable: 1, host: "h", command: "shop",
                  sampleCount: 1, totalValue: 1)
    }

    @Test("an agent window's rows carry its losses once; rows without an anchor are summed")
    func eachWindowOnce() {
        let window = [row(pid: 1, kind: .cpu, start: 100, monotonic: 5, dropped: 7), row(pid: 2, kind: .cpu, start: 100, monotonic: 5, dropped: 7),
                      row(pid: 1, kind: .offcpu, start: 100, monotonic: 5, dropped: 7)]
        let next = [row(pid: 1, kind: .cpu, start: 110, monotonic: 15, dropped: 2)]
        #expect((window + next).windowLosses.dropped == 9)
        #expect((window + next).windowLosses.unreadable == 2)
        let files = [row(pid: 1, kind: .cpu, start: 100, monotonic: 0, dropped: 3), row(pid: 1, kind: .cpu, start: 100, monotonic: 0, dropped: 3)]
        #expect(files.windowLosses.dropped == 6)
    }
}
