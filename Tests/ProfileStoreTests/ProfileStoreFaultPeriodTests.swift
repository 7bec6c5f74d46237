import ProfileModel
import ProfileStore
import Testing

/// A faults window keeps its sampling period: without it nobody can say how many page faults a
/// sample stands for.
@Suite struct ProfileStoreFaultPeriodTests {
    private func faults(period: Int64?, start: UInt64) -> Profile {
        var metadata = ProfileMetadata(kind: .faults, startUnixNs: start, endUnixNs: start + 10)
        metadata.faultPeriod = period
        var profile = Profile(metadata: metadata)
        profile.add(stack: [Frame(name: "main"), Frame(name: "touchPages")], value: period ?? 1, labels: SampleLabels(pid: 7))
        return profile
    }

    @Test("the period is stored with the window and read back; windows of different periods merge without one")
    func periodRoundTrips() throws {
        let fixture = try StoreFixture()
        let store = try fixture.openStore()
        let a = try store.write(faults(period: 64, start: 1_000)), b = try store.write(faults(period: 64, start: 2_000))
        let c = try store.write(faults(period: 512, start: 3_000))
        #expect(try store.profile(query: .runs([a, b])).metadata.faultPeriod == 64)
        #expect(try store.profile(query: .runs([a, c])).metadata.faultPeriod == nil)
        #expect(try store.runs(filter: RunFilter(ids: [c])).map(\.period) == [512])
    }
}
