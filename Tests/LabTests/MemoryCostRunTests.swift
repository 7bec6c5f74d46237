@testable import Lab
import Testing

/// Each memory profiler's checkout CPU against the same round's `off`, over the rounds.
struct MemoryCostRunTests {
    @Test func eachSettingIsComparedWithItsOwnRoundsOff() {
        let segments: [MemoryCostRun.Segment] = [
            .init(round: 1, setting: .off, cpuMsMedian: 4, checkouts: 150), .init(round: 1, setting: .alloc, cpuMsMedian: 5, checkouts: 150),
            .init(round: 1, setting: .inuse, cpuMsMedian: 6, checkouts: 150), .init(round: 2, setting: .inuse, cpuMsMedian: 4, checkouts: 150),
            .init(round: 2, setting: .off, cpuMsMedian: 2, checkouts: 150), .init(round: 2, setting: .alloc, cpuMsMedian: 2.2, checkouts: 150),
        ]
        let rows = Dictionary(uniqueKeysWithValues: MemoryCostRun.rows(segments).map { ($0.setting, $0) })
        #expect(rows["off"]?.ratioMedian == 1)
        #expect(rows["alloc"].map { abs($0.ratioMin - 1.1) < 1e-9 && $0.ratioMax == 1.25 && abs($0.ratioMedian - 1.175) < 1e-9 } == true)
        #expect(rows["inuse"].map { $0.ratioMin == 1.5 && $0.ratioMax == 2 && $0.cpuMsMedian == 5 } == true)
    }
}
