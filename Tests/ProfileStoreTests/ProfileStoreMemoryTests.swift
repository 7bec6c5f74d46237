import ProfileModel
import ProfileStore
import Testing

/// Memory windows in the store: both values of a sample (bytes and allocations) and the sampling rate
/// come back; in-use windows are snapshots, so a range reads its latest one instead of summing them.
@Suite struct ProfileStoreMemoryTests {
    private static let start: UInt64 = 1_800_000_000_000_000_000
    private static let second: UInt64 = 1_000_000_000
    private static let leak = [Frame(name: "main"), Frame(name: "SessionCache.rememberCart"), Frame(name: "malloc", kind: .libc)]
    private static let churn = [Frame(name: "main"), Frame(name: "ReceiptFormatter.formatReceiptLines"), Frame(name: "malloc", kind: .libc)]

    /// A window `index` (10 s each) of `kind` with samples of (stack, bytes, objects) allocated in the
    /// first window, one microsecond apart, each with a trace id of its own.
    private func window(_ kind: ProfileKind, index: UInt64, pid: Int32 = 7, samples: [([Frame], Int64, Int64)]) -> Profile {
        let begin = Self.start + index * 10 * Self.second
        var metadata = ProfileMetadata(kind: kind, unwindMode: .fp, service: "shop", version: "v1", startUnixNs: begin,
                                       endUnixNs: begin + 10 * Self.second, monotonicStartNs: 5 * Self.second + index * 10 * Self.second)
        metadata.allocationRateBytes = 524_288
        var profile = Profile(metadata: metadata)
        for (offset, (stack, bytes, objects)) in samples.enumerated() {
            let id = profile.intern(stack: stack.map { profile.intern($0) })
            // Allocated in the first window: an in-use sample of a later snapshot is older than its window.
            profile.add(stackID: id, value: bytes, objects: objects,
                        labels: SampleLabels(traceID: withUnsafeBytes(of: (UInt64(offset + 1), index + 1)) { TraceID(bytes: Array($0)) },
                                             pid: pid, tid: pid, timestampNs: 6 * Self.second + UInt64(offset) * 1_000))
        }
        return profile
    }

    private func value(of frame: String, in profile: Profile) -> (bytes: Int64, objects: Int64) {
        profile.samples.filter { profile.frames(ofStack: $0.stackID).contains { $0.name == frame } }
            .reduce((0, 0)) { ($0.0 + $1.value, $0.1 + ($1.objects ?? 0)) }
    }

    @Test("an alloc window keeps both values and its rate; windows of a range add up")
    func allocWindowsRoundTrip() throws {
        let fixture = try StoreFixture()
        let store = try fixture.openStore()
        try store.write(window(.alloc, index: 0, samples: [(Self.churn, 1_048_576, 300), (Self.leak, 131_072, 1)]))
        try store.write(window(.alloc, index: 1, samples: [(Self.churn, 2_097_152, 610)]))
        let profile = try store.profile(query: try StoreSelection(kind: .alloc).query())
        #expect(profile.metadata.kind == .alloc && profile.metadata.allocationRateBytes == 524_288)
        #expect(value(of: "ReceiptFormatter.formatReceiptLines", in: profile) == (3_145_728, 910))
        #expect(value(of: "SessionCache.rememberCart", in: profile) == (131_072, 1))
        #expect(try store.runs(filter: RunFilter(kind: .alloc)).map(\.period) == [524_288, 524_288])
    }

    @Test("in-use over a range is its latest snapshot (every process of that cut), not the sum of its snapshots")
    func inUseReadsTheLatestSnapshot() throws {
        let fixture = try StoreFixture()
        let store = try fixture.openStore()
        for index in 0..<3 as Range<UInt64> {
            let grown = Int64(index + 1) * 1_000_000
            try store.write(window(.inuse, index: index, samples: [(Self.leak, grown, Int64(index + 1) * 8)]))
            try store.write(window(.inuse, index: index, pid: 8, samples: [(Self.churn, 4_096, 1)]))
        }
        let all = try store.profile(query: try StoreSelection(kind: .inuse).query())
        #expect(value(of: "SessionCache.rememberCart", in: all) == (3_000_000, 24))
        #expect(value(of: "ReceiptFormatter.formatReceiptLines", in: all) == (4_096, 1), "the other process of the same cut is kept")
        // The first two windows only: the snapshot at the end of the second. Its samples were allocated
        // before the range's start, and count: they were live at the snapshot.
        let firstTwo = StoreSelection(fromUnixNs: Self.start + 15 * Self.second, toUnixNs: Self.start + 19 * Self.second, kind: .inuse)
        #expect(value(of: "SessionCache.rememberCart", in: try store.profile(query: try firstTwo.query())) == (2_000_000, 16))
        // Objects are the value a one-value format shows on request.
        #expect(all.selectingSampleType(.objects).totalValue == 25)
    }

    @Test("downsampling keeps alloc totals with their objects, and an in-use group's latest snapshot")
    func retentionMergesMemoryWindows() throws {
        let fixture = try StoreFixture()
        let store = try fixture.openStore()
        // Many traced samples per window: what merging drops (ids, times, one sample per stack) frees pages.
        for index in 0..<6 as Range<UInt64> {
            try store.write(window(.alloc, index: index, samples: Array(repeating: (Self.churn, 500, 1), count: 2_000)))
            try store.write(window(.inuse, index: index, samples: Array(repeating: (Self.leak, 2_000, 1), count: 250 * Int(index + 1))))
        }
        let now = Self.start + 600 * Self.second
        let policy = RetentionPolicy(maxBytes: try store.dataBytes() / 2, mergeFactor: 6, fullDetailNs: 1)
        let report = try store.applyRetention(policy, nowUnixNs: now, budgetSeconds: 600)
        #expect(report.mergedWindows == 12 && report.deletedWindows == 0)
        let runs = try store.runs()
        #expect(runs.count == 2 && runs.allSatisfy { !$0.traced && $0.period == 524_288 })
        let alloc = try store.profile(query: try StoreSelection(kind: .alloc).query())
        #expect(value(of: "ReceiptFormatter.formatReceiptLines", in: alloc) == (6_000_000, 12_000))
        let inUse = try store.profile(query: try StoreSelection(kind: .inuse).query())
        #expect(value(of: "SessionCache.rememberCart", in: inUse) == (3_000_000, 1_500))
    }

    @Test("a memory kind is a valid selection on the command line and the pages")
    func memoryKindsParse() throws {
        #expect(try StoreSelection.parse("kind=inuse,version=v2").kind == .inuse)
        #expect { _ = try StoreSelection.parse("kind=heap") } throws: { "\($0)".contains("kind must be one of cpu") }
    }
}
