import Foundation
@testable import Agent
import CBPF
import ProfileModel
import Testing

/// The memory recorder without BPF: events as memory.bpf.c lays them out, the live set, the weights.
struct MemoryRecorderTests {
    /// Names every address `f<hex>` so stacks can be read back.
    final class NamingSymbolizer: StackSymbolizing {
        func prepare(pid: Int32) {}
        func symbolizeUser(pid: Int32, addresses: [UInt64]) -> [Frame] {
            addresses.map { Frame(name: "f\(String($0, radix: 16))", module: "/app", kind: .native) }
        }
        func symbolizeKernel(addresses: [UInt64]) -> [Frame] { [] }
    }

    static func alloc(pid: UInt32 = 7, size: UInt64, address: UInt64, tracked: Bool, stack: [UInt64]) -> [UInt8] {
        var event = flamelab_mem_alloc_event()
        event.kind = FLAMELAB_MEM_EVENT_ALLOC.rawValue
        event.pid = pid
        event.tid = pid + 1
        event.allocator = FLAMELAB_MEM_MALLOC.rawValue
        event.size = size
        event.address = address
        event.flags = tracked ? FLAMELAB_MEM_FLAG_TRACKED.rawValue : 0
        event.ustack_bytes = Int32(stack.count * 8)
        withUnsafeMutableBytes(of: &event.ustack) { raw in
            for (i, address) in stack.enumerated() { raw.storeBytes(of: address, toByteOffset: i * 8, as: UInt64.self) }
        }
        return withUnsafeBytes(of: &event) { Array($0) }
    }

    static func free(pid: UInt32 = 7, address: UInt64) -> [UInt8] {
        var event = flamelab_mem_free_event()
        event.kind = FLAMELAB_MEM_EVENT_FREE.rawValue
        event.pid = pid
        event.address = address
        return withUnsafeBytes(of: &event) { Array($0) }
    }

    static func record(_ events: [[UInt8]]) -> MemoryRecorder {
        let recorder = MemoryRecorder()
        for bytes in events { bytes.withUnsafeBytes { recorder.record($0) } }
        return recorder
    }

    static func build(_ recorder: MemoryRecorder, _ kind: ProfileKind, rate: UInt64) -> Profile {
        recorder.build(kind: kind, rateBytes: rate, symbolizer: NamingSymbolizer(), libcPaths: [7: "/lib/libc.so.6"],
                       metadata: ProfileMetadata(kind: kind))
    }

    @Test func inUseKeepsWhatWasNotFreedAndAllocKeepsEverything() {
        let recorder = Self.record([
            Self.alloc(size: 100, address: 0x1000, tracked: true, stack: [0x11, 0x22]),
            Self.alloc(size: 200, address: 0x2000, tracked: true, stack: [0x33, 0x22]),
            Self.free(address: 0x1000),
            Self.free(address: 0x9999),  // not a sampled address: nothing to forget
            Self.alloc(size: 300, address: 0x3000, tracked: false, stack: [0x33, 0x22]),  // live map full in BPF
        ])
        let inuse = Self.build(recorder, .inuse, rate: 1)
        #expect(inuse.samples.map(\.value) == [200])
        // Root first, the allocator as leaf; the caller's return address moved into its call (0x33 -> 0x32)
        // because the symbolizer takes the first address as exact (this fake takes all of them as given).
        #expect(inuse.frames(ofStack: inuse.samples[0].stackID).map(\.name) == ["f22", "f32", "malloc"])
        let alloc = Self.build(recorder, .alloc, rate: 1)
        #expect(alloc.totalValue == 600)
        #expect(alloc.samples.map(\.objects) == [1, 1, 1])
        #expect(recorder.counts.untrackedAllocations == 1 && recorder.counts.trackedFrees == 2)
    }

    /// 100 samples of 256 KiB at 512 KiB stand for 100 / (1 - e^-0.5) = 254.1 allocations: rounding each
    /// sample's 2.54 would give 300; the carried remainder gives 254.
    @Test func fractionalWeightsAddUpPerStack() {
        let events = (0..<100).map { Self.alloc(size: 262_144, address: 0x1000 + UInt64($0) * 0x100, tracked: true, stack: [0x11]) }
        let profile = Self.build(Self.record(events), .alloc, rate: 524_288)
        let objects = profile.samples.compactMap(\.objects).reduce(0, +)
        let exact = 100 / (1 - exp(-0.5))
        #expect(abs(Double(objects) - exact) <= 0.5, "\(objects) vs \(exact)")
        #expect(abs(Double(profile.totalValue) - exact * 262_144) <= 0.5)
    }

    @Test func truncatedEventsAreCountedNotRead() {
        let recorder = Self.record([Array(Self.alloc(size: 8, address: 1, tracked: true, stack: [1]).prefix(40)), [9, 0, 0, 0]])
        #expect(recorder.counts.undecodableEvents == 2 && recorder.allocations.isEmpty)
    }
}
