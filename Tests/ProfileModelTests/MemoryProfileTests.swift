import Foundation
import Testing
@testable import ProfileModel

/// Memory kinds in the model: the Poisson weights, the one-value view, and pprof with Go's heap types.
@Suite struct MemoryProfileTests {
    static let rate: UInt64 = 512 * 1024

    /// Two stacks: 10 sampled 64-byte allocations in `small`, 3 of 4 MiB in `large`, weighted.
    static func profile(_ kind: ProfileKind) -> Profile {
        var meta = ProfileMetadata(kind: kind, unwindMode: .fp, startUnixNs: 1_000, endUnixNs: 2_000)
        meta.allocationRateBytes = Int64(rate)
        var profile = Profile(metadata: meta)
        let small = [Frame(name: "main", module: "/app", kind: .native), Frame(name: "small", module: "/app", kind: .native),
                     Frame(name: "malloc", module: "/lib/libc.so.6", kind: .libc)]
        let large = [Frame(name: "main", module: "/app", kind: .native), Frame(name: "large", module: "/app", kind: .native),
                     Frame(name: "malloc", module: "/lib/libc.so.6", kind: .libc)]
        for (stack, size, count) in [(small, UInt64(64), 10), (large, UInt64(4 << 20), 3)] {
            let ids = stack.map { profile.intern($0) }
            let id = profile.intern(stack: ids)
            for i in 0..<count {
                let weight = AllocationWeight(size: size, rateBytes: rate)
                profile.add(stackID: id, value: Int64(weight.bytes.rounded()), objects: Int64(weight.objects.rounded()),
                            labels: SampleLabels(pid: 7, tid: 8, timestampNs: UInt64(i)))
            }
        }
        return profile
    }

    @Test func smallAllocationsStandForAboutRateOverSizeOfThem() {
        // 1/(1 - e^-x) = 1/x + 1/2 + x/12 + ...: a 64-byte sample at 512 KiB stands for ~8192.5 allocations.
        let weight = AllocationWeight(size: 64, rateBytes: Self.rate)
        let x = 64.0 / Double(Self.rate)
        #expect(abs(weight.objects - (1 / x + 0.5 + x / 12)) < 1e-6)
        #expect(abs(weight.bytes - 64 * weight.objects) < 1e-6)
    }

    @Test func largeAllocationsAreAlmostAlwaysSampledSoWeighOne() {
        let weight = AllocationWeight(size: 64 << 20, rateBytes: Self.rate)
        #expect(weight.objects == 1)
        #expect(weight.bytes == Double(64 << 20))
        #expect(AllocationWeight(size: 100, rateBytes: 1) == AllocationWeight(size: 100, rateBytes: 0) )
        #expect(AllocationWeight(size: 100, rateBytes: 1).objects == 1)
    }

    @Test func exponentialTableHasMeanOneAndTheExponentialMedian() {
        let table = AllocationWeight.exponentialTable(count: 1024, shift: 16)
        let values = table.map { Double($0) / 65536 }
        let mean = values.reduce(0, +) / Double(values.count)
        #expect(abs(mean - 1) < 0.005, "mean \(mean)")
        // Half the draws fall below ln 2, as for an exponential of mean 1.
        #expect(abs(values[511] - log(2.0)) < 0.01 && abs(values[512] - log(2.0)) < 0.01)
        #expect(zip(values, values.dropFirst()).allSatisfy { $0 > $1 })
    }

    @Test func objectsSampleTypeReplacesTheValuesOfMemoryProfilesOnly() {
        let profile = Self.profile(.alloc)
        let objects = profile.selectingSampleType(.objects)
        #expect(objects.samples.map(\.value) == profile.samples.map { $0.objects ?? -1 })
        #expect(profile.selectingSampleType(.space) == profile)
        #expect(MemorySampleType(argument: "inuse_objects") == .objects)
        #expect(MemorySampleType(argument: "space") == .space)
        #expect(MemorySampleType(argument: "bytes") == nil)
    }

    @Test func pprofRoundTripKeepsBothValuesAndTheRate() throws {
        for kind in [ProfileKind.alloc, .inuse] {
            let original = Self.profile(kind)
            let decoded = try PprofCodec.decode(try PprofCodec.encode(original))
            #expect(decoded == original)
            #expect(decoded.samples.first?.objects == original.samples.first?.objects)
        }
    }

    /// protoc, a reader that is not our code: Go's heap types, `space/bytes` period at the rate.
    @Test(.enabled(if: ProtocRunner.isAvailable || FixtureFiles.isCI, "protoc not installed (apt-get install protobuf-compiler)"))
    func protocReadsGoHeapSampleTypes() throws {
        let text = try ProtocRunner.decode(PprofCodec.encodeUncompressed(Self.profile(.inuse)))
        for name in ["inuse_objects", "inuse_space", "count", "bytes", "space"] {
            #expect(text.contains("string_table: \"\(name)\""), "\(name) missing")
        }
        #expect(text.contains("period: \(Self.rate)"))
        // The first sample: [objects, bytes] of a 64-byte allocation at 512 KiB.
        let weight = AllocationWeight(size: 64, rateBytes: Self.rate)
        #expect(text.contains("value: \(Int64(weight.objects.rounded()))\n  value: \(Int64(weight.bytes.rounded()))\n"))
    }

    /// The kind comes from the heap sample types; an absent rate stays absent (period 0).
    @Test func decoderReadsTheKindFromTheHeapSampleTypes() throws {
        var profile = Self.profile(.alloc)
        profile.metadata.allocationRateBytes = nil
        let decoded = try PprofCodec.decode(PprofCodec.encodeUncompressed(profile))
        #expect(decoded.metadata.kind == .alloc)
        #expect(decoded.metadata.allocationRateBytes == nil)
    }
}
