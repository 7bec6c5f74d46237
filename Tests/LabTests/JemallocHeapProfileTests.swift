import Foundation
@testable import Lab
import ProfileModel
import Testing

/// jemalloc's heap dump: parsed, scaled back as jeprof does, and named from the maps it carries.
struct JemallocHeapProfileTests {
    /// Two stacks at the default rate (2^19): one of 10 sampled 1 MiB blocks, one of 4 sampled 64 B blocks
    /// of which 1 is live; a stack with nothing allocated; the maps of this process.
    static func dump(stacks: [[UInt64]], maps: String) -> String {
        func hex(_ stack: [UInt64]) -> String { "@ " + stack.map { "0x" + String($0, radix: 16) }.joined(separator: " ") }
        return """
        heap_v2/524288
          t*: 1: 64 [14: 10486016]
          t0: 1: 64 [14: 10486016]
        \(hex(stacks[0]))
          t*: 0: 0 [10: 10485760]
          t0: 0: 0 [10: 10485760]
        \(hex(stacks[1]))
          t*: 1: 64 [4: 256]
          t3: 1: 64 [4: 256]
        \(hex(stacks[2]))
          t*: 0: 0 [0: 0]

        MAPPED_LIBRARIES:
        \(maps)
        """
    }

    @Test func countsAreScaledBackByTheStacksMeanSize() throws {
        let heap = try JemallocHeapProfile(text: Self.dump(stacks: [[0x1000, 0x2000], [0x3000], [0x4000]], maps: "00400000-00452000 r-xp 00000000 08:02 173521 /usr/bin/dbus-daemon"))
        #expect(heap.rateBytes == 524_288 && heap.stacks.count == 3 && heap.mappings.count == 1)
        #expect(heap.stacks[0].addresses == [0x1000, 0x2000])
        // 1 MiB at a 512 KiB mean: p = 1 - e^-2 = 0.8647 per block, so 10 samples stand for 11.565 blocks.
        #expect(abs(heap.stacks[0].allocatedObjects - 10 / -expm1(-2.0)) < 1e-9)
        #expect(abs(heap.stacks[0].allocatedBytes - 10_485_760 / -expm1(-2.0)) < 1e-6)
        // 64 B: p = 1.22e-4, each sample stands for ~8192 blocks.
        #expect(abs(heap.stacks[1].allocatedObjects - 4 / -expm1(-64.0 / 524_288)) < 1e-6)
        #expect(heap.stacks[2].allocatedBytes == 0)
    }

    @Test func addressesAreNamedFromTheDumpsOwnMaps() throws {
        // Read to the end: /proc files report no size, and a sized read stops at the first page.
        let maps = String(decoding: try #require(try FileHandle(forReadingAtPath: "/proc/self/maps")?.readToEnd()), as: UTF8.self)
        let process = dlopen(nil, RTLD_NOW)
        let malloc = UInt64(UInt(bitPattern: dlsym(process, "malloc")))
        let free = UInt64(UInt(bitPattern: dlsym(process, "free")))
        #expect(malloc != 0 && free != 0)
        // Leaf first; every frame but the first is a return address, named at address - 1.
        let heap = try JemallocHeapProfile(text: Self.dump(stacks: [[malloc + 4, free + 5], [0x10], [0x20]], maps: maps))
        let named = heap.symbolizedStacks(executable: "/proc/self/exe")
        let names = named[0].frames.map(\.name)
        #expect(names.count == 2 && names[0].contains("malloc") && names[1].contains("free"), "\(names)")
        #expect(named[0].frames.allSatisfy { $0.kind == .libc })
    }

    @Test func aDumpCutShortIsAnErrorNamingIt() {
        #expect { _ = try JemallocHeapProfile(text: "heap_v2/524288\n@ 0x10\n  t*: 0: 0 [1: 8]\n") } throws: { "\($0)".contains("no MAPPED_LIBRARIES") }
        #expect { _ = try JemallocHeapProfile(text: "heap/1\n") } throws: { "\($0)".contains("failed to parse jemalloc heap profile") }
        #expect { _ = try JemallocHeapProfile(text: "heap_v2/524288\n@ 0xzz\n") } throws: { "\($0)".contains("stack line is malformed") }
    }
}

/// jemalloc's size classes: the usable size of a request.
struct JemallocSizeClassTests {
    @Test func requestsRoundUpToTheirClass() {
        let cases: [(Int64, Int64)] = [(0, 8), (1, 8), (8, 8), (9, 16), (17, 32), (128, 128), (129, 160), (160, 160), (161, 192),
                                       (257, 320), (1000, 1024), (1025, 1280), (100_000, 114_688), (131_072, 131_072), (131_073, 163_840)]
        for (size, usable) in cases { #expect(JemallocSizeClass.usable(size) == usable, "\(size)") }
    }
}
