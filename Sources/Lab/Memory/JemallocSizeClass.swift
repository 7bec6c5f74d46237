/// jemalloc 5's size classes on x86-64 (16-byte quantum, four classes per doubling): what an
/// allocation of a given size really takes, and what jemalloc's profiler counts. The facts: 8, then
/// multiples of 16 up to 128, then for sizes in (2^k, 2^(k+1)] the multiples of 2^(k-2).
enum JemallocSizeClass {
    /// The usable size jemalloc gives a request of `size` bytes.
    static func usable(_ size: Int64) -> Int64 {
        if size <= 8 { return 8 }
        if size <= 128 { return (size + 15) / 16 * 16 }
        let k = 63 - Int64((size - 1).leadingZeroBitCount)
        let spacing = Int64(1) << (k - 2)
        return (size + spacing - 1) / spacing * spacing
    }
}
