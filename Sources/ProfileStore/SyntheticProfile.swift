import ProfileModel

/// Makes realistic-looking profiles for the store's benchmark and tests: deep stacks (~30 frames)
/// sharing a runtime prefix, drawn with a skewed distribution from a few thousand distinct
/// stacks, two threads sampled at a fixed rate, and trace ids on about half the samples.
/// Deterministic for a given seed.
public struct SyntheticProfile: Sendable {
    public var sampleCount: Int
    public var distinctStacks: Int
    public var meanDepth: Int
    /// Share of samples that carry a trace id (and span id).
    public var tracedShare: Double
    /// Consecutive samples of one thread that belong to one request.
    public var samplesPerTrace: Int
    public var hz: Int
    public var seed: UInt64

    public init(sampleCount: Int, distinctStacks: Int = 3000, meanDepth: Int = 30, tracedShare: Double = 0.5,
                samplesPerTrace: Int = 8, hz: Int = 99, seed: UInt64 = 1) {
        self.sampleCount = sampleCount
        self.distinctStacks = distinctStacks
        self.meanDepth = meanDepth
        self.tracedShare = tracedShare
        self.samplesPerTrace = samplesPerTrace
        self.hz = hz
        self.seed = seed
    }

    /// Builds the profile.
    public func make() -> Profile {
        var random = SplitMix64(seed: seed)
        var profile = Profile(metadata: ProfileMetadata(
            kind: .cpu, hz: hz, unwindMode: .fp, service: "shop", version: "v1",
            startUnixNs: 1_700_000_000_000_000_000,
            endUnixNs: 1_700_000_000_000_000_000 + UInt64(sampleCount / 2) * 1_000_000_000 / UInt64(max(hz, 1)),
            dropped: 0))
        let stackIDs = makeStacks(into: &profile, random: &random)
        addSamples(into: &profile, stackIDs: stackIDs, random: &random)
        return profile
    }

    /// The pool of frames: a fixed runtime prefix and a few thousand app/library functions.
    private func makeFrames(random: inout SplitMix64) -> (prefix: [Frame], pool: [Frame]) {
        let prefix = [
            Frame(name: "_start", module: "flamelab-shop", kind: .libc),
            Frame(name: "__libc_start_main", module: "libc.so.6", kind: .libc),
            Frame(name: "main", module: "flamelab-shop", kind: .app),
            Frame(name: "NIOPosix.MultiThreadedEventLoopGroup.run()", module: "flamelab-shop", kind: .swiftRuntime),
            Frame(name: "NIOPosix.SelectableEventLoop.run() throws -> ()", module: "flamelab-shop", kind: .swiftRuntime),
        ]
        let kinds: [FrameKind] = [.app, .swiftRuntime, .libc, .native, .python, .interpreter, .kernel]
        let pool = (0..<max(1, distinctStacks)).map { i -> Frame in
            let kind = kinds[Int(random.next() % UInt64(kinds.count))]
            let name = "ShopService.Module\(i % 97).function\(i)(request: Hummingbird.Request, context: Context) async throws -> Response"
            return kind == .python
                ? Frame(name: "worker.handler_\(i)", module: "worker.py", kind: .python, file: "services/shop/python/worker.py", line: i % 500 + 1)
                : Frame(name: name, module: kind == .libc ? "libc.so.6" : "flamelab-shop", kind: kind)
        }
        return (prefix, pool)
    }

    /// Distinct stacks as a tree: each new stack extends a shared ancestor path, as real call
    /// trees do, so stacks share long prefixes.
    private func makeStacks(into profile: inout Profile, random: inout SplitMix64) -> [Int] {
        let (prefix, pool) = makeFrames(random: &random)
        let prefixIDs = prefix.map { profile.intern($0) }
        var ids = [Int]()
        var previous: [Int32] = prefixIDs
        while ids.count < distinctStacks {
            let depth = max(prefix.count + 1, meanDepth - 8 + Int(random.next() % 17))
            let keep = min(previous.count, prefix.count + Int(random.next() % UInt64(max(1, depth - prefix.count))))
            var stack = Array(previous.prefix(keep))
            while stack.count < depth {
                stack.append(profile.intern(pool[Int(random.next() % UInt64(pool.count))]))
            }
            let before = profile.stacks.count
            let id = profile.intern(stack: stack)
            if profile.stacks.count > before { ids.append(id) }
            previous = stack
        }
        return ids
    }

    /// Two threads sampled alternately at `hz`; a skewed choice of stack; traced requests.
    private func addSamples(into profile: inout Profile, stackIDs: [Int], random: inout SplitMix64) {
        let interval = UInt64(1_000_000_000 / max(hz, 1))
        var trace: [SampleLabels] = [SampleLabels(), SampleLabels()]
        for i in 0..<sampleCount {
            let thread = i % 2
            if i / 2 % samplesPerTrace == 0 {
                let traced = Double(random.next() % 10_000) / 10_000 < tracedShare
                trace[thread] = traced
                    ? SampleLabels(traceID: TraceID(high: random.next(), low: random.next()), spanID: SpanID(random.next()))
                    : SampleLabels()
            }
            // Squaring a uniform draw makes low stack ids far more common: a few hot paths.
            let u = Double(random.next() % 1_000_000) / 1_000_000
            let stackID = stackIDs[min(stackIDs.count - 1, Int(u * u * Double(stackIDs.count)))]
            var labels = trace[thread]
            labels.pid = 4242
            labels.tid = Int32(4242 + thread)
            labels.timestampNs = 10_000_000_000 + UInt64(i / 2) * interval + UInt64(thread) * 1000
            profile.add(stackID: stackID, value: 1, labels: labels)
        }
    }

}

/// A small, fast, seedable generator (SplitMix64), so synthetic data is the same on every run.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
