import Testing
@testable import ProfileModel

/// `Profile.keepingSamples(where:)`, `Profile.partitioned(by:)` and `ProfileSplit.byPID`.
struct ProfileSelectionTests {
    @Test func keepingSamplesIsCompact() {
        let p = TestProfiles.cpu()
        let traced = p.keepingSamples { $0.labels.traceID == TestProfiles.traceA }
        #expect(traced.samples.count == 2)
        #expect(traced.totalValue == 9)
        #expect(traced.metadata == p.metadata)
        // Only the frames and the stack of the kept samples.
        #expect(Set(traced.frames.map(\.name)) == [TestProfiles.startThread.name, TestProfiles.checkout.name, TestProfiles.compute.name])
        #expect(traced.stacks.count == 1)
    }

    @Test func keepingNothingIsAnEmptyProfile() {
        let kept = TestProfiles.cpu().keepingSamples { _ in false }
        #expect(kept.samples.isEmpty)
        #expect(kept.frames.isEmpty)
    }

    @Test func partitionsCoverEverySampleOnce() {
        let p = TestProfiles.cpu()
        let parts = p.partitioned { $0.labels.tid }
        #expect(parts.values.reduce(0) { $0 + $1.samples.count } == p.samples.count)
        #expect(parts.values.reduce(0) { $0 + $1.totalValue } == p.totalValue)
        #expect(parts[101]?.totalValue == 9)
        #expect(parts[nil]?.samples.count == 3)
        // Each part keeps its own stacks' names.
        #expect(TestProfiles.stackTotals(parts[103]!) == [
            ["start_thread|libc", "__GI___libc_read|libc", "entry_SYSCALL_64|kernel", "ksys_read|kernel"].joined(separator: ";"): 1,
        ])
    }

    @Test func splitByPIDOrdersPidsAndPutsNoPidLast() {
        var p = TestProfiles.cpu()
        p.add(stack: [TestProfiles.startThread], value: 1, labels: SampleLabels(pid: 7))
        let parts = ProfileSplit.byPID(p)
        #expect(parts.map(\.pid) == [7, 42, nil])
        #expect(parts.map { $0.profile.totalValue } == [1, 12, 5])
    }
}
