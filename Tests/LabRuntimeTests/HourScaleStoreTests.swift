import Foundation
import ProfileModel
import ProfileStore
@testable import LabRuntime
import Testing

/// The hour-scale store the continuous query goals are measured on: as many windows as an agent
/// writes in an hour, the target's samples, and every copy of a trace its own request.
@Suite struct HourScaleStoreTests {
    static let second: UInt64 = 1_000_000_000
    static let start: UInt64 = 1_796_000_000 * second

    /// A 10 s CPU window of `count` samples, each of its own trace.
    static func window(_ index: UInt64, count: Int) -> Profile {
        let from = start + index * 10 * second
        var profile = Profile(metadata: ProfileMetadata(kind: .cpu, hz: 99, unwindMode: .fp, service: "shop", version: "v1",
                                                        startUnixNs: from, endUnixNs: from + 10 * second, monotonicStartNs: index * 10 * second))
        let frames = [Frame(name: "main", module: "shop", kind: .app), Frame(name: "work", module: "shop", kind: .app)]
        for n in 0..<count {
            let trace = TraceID(high: index + 1, low: UInt64(n + 1))!
            profile.add(stack: frames, value: 1, labels: SampleLabels(traceID: trace, pid: 7, tid: 7, timestampNs: index * 10 * second + UInt64(n) * 1_000_000))
        }
        return profile
    }

    @Test("copies tile the hour at the soak's cadence, merged several to a window when the hour has fewer slots than copies")
    func tilesTheHour() throws {
        let directory = NSTemporaryDirectory() + "hourscale-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let source = try ProfileStore(path: directory + "/soak.sqlite")
        for index in 0..<2 { try source.write(Self.window(UInt64(index), count: 100)) }

        let copies = try HourScaleStore.build(from: directory + "/soak.sqlite", into: directory + "/hour.sqlite", targetCPUSamples: 100_000)
        let hour = try ProfileStore(existing: directory + "/hour.sqlite")
        let runs = try hour.runs()
        // 500 copies wanted, 180 slots of 20 s in the hour: 3 copies per slot, 2 windows per slot.
        #expect(copies == 540)
        #expect(runs.count == 360)
        #expect(runs.reduce(0) { $0 + Int($1.sampleCount) } == 540 * 200)
        #expect(runs.allSatisfy { $0.endUnixNs - $0.startUnixNs == 10 * Self.second })
        let original = TraceID(high: 1, low: 1)!
        let found = try hour.profile(query: .runs(runs.map(\.id), traceIDs: [original]))
        #expect(found.samples.count == 1)
    }
}
