@testable import ProfileModel

/// Small handmade profiles with one frame of every kind, used by the codec tests.
enum TestProfiles {
    static let traceA = TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736")!
    static let spanA = SpanID(hex: "00f067aa0ba902b7")!
    static let traceB = TraceID(hex: "0af7651916cd43dd8448eb211c80319c")!

    static let startThread = Frame(name: "start_thread", module: "libc.so.6", kind: .libc)
    static let checkout = Frame(name: "Shop.Handler.checkout() -> ()", module: "flamelab-shop", kind: .app)
    static let compute = Frame(name: "Shop.Hotspot.compute(Swift.Int) -> Swift.Double", module: "flamelab-shop", kind: .app)
    static let evalFrame = Frame(name: "_PyEval_EvalFrameDefault", module: "libpython3.11.so.1.0", kind: .interpreter)
    static let score = Frame(name: "Worker.score", module: "worker.py", kind: .python,
                             file: "services/shop/python/worker.py", line: 12)
    static let retain = Frame(name: "swift_retain", module: "libswiftCore.so", kind: .swiftRuntime)
    static let libcRead = Frame(name: "__GI___libc_read", module: "libc.so.6", kind: .libc)
    static let syscallEntry = Frame(name: "entry_SYSCALL_64", module: "[kernel.kallsyms]", kind: .kernel)
    static let ksysRead = Frame(name: "ksys_read", module: "[kernel.kallsyms]", kind: .kernel)
    static let unknown = Frame(name: "[unknown]", kind: .unknown)
    static let curl = Frame(name: "curl_easy_perform", module: "libcurl.so.4", kind: .native)

    /// A CPU profile at 99 Hz with labels on some samples.
    static func cpu() -> Profile {
        var p = Profile(metadata: ProfileMetadata(kind: .cpu, hz: 99, unwindMode: .fp, service: "shop", version: "v1",
                                                  startUnixNs: 1_700_000_000_000_000_000,
                                                  endUnixNs: 1_700_000_030_000_000_000, dropped: 2))
        let traced = SampleLabels(traceID: traceA, spanID: spanA, pid: 42, tid: 101, timestampNs: 5_000)
        p.add(stack: [startThread, checkout, compute], value: 5, labels: traced)
        p.add(stack: [startThread, evalFrame, score], value: 3,
              labels: SampleLabels(traceID: traceB, pid: 42, tid: 102, timestampNs: 6_000))
        p.add(stack: [startThread, retain], value: 2)
        p.add(stack: [startThread, libcRead, syscallEntry, ksysRead], value: 1, labels: SampleLabels(tid: 103))
        p.add(stack: [startThread, checkout, compute], value: 4, labels: traced)
        p.add(stack: [unknown], value: 1)
        p.add(stack: [startThread, curl], value: 1)
        return p
    }

    /// An off-CPU profile: values are blocked nanoseconds.
    static func offCPU() -> Profile {
        var p = Profile(metadata: ProfileMetadata(kind: .offcpu, unwindMode: .dwarf, service: "shop", version: "v2"))
        p.add(stack: [startThread, checkout, libcRead, syscallEntry, ksysRead], value: 200_000_000,
              labels: SampleLabels(traceID: traceA, spanID: spanA, tid: 7, timestampNs: 10))
        p.add(stack: [startThread, retain], value: 1_500)
        return p
    }

    /// Page faults, one sample every 64: each value the faults a sample stands for.
    static func faults() -> Profile {
        var p = Profile(metadata: ProfileMetadata(kind: .faults, unwindMode: .fp, service: "shop", version: "v2"))
        p.metadata.faultPeriod = 64
        p.add(stack: [startThread, checkout], value: 64, labels: SampleLabels(traceID: traceA, spanID: spanA, tid: 7, timestampNs: 10))
        p.add(stack: [startThread, retain], value: 64)
        return p
    }

    /// (names, kinds) per sample, root first, and the sample's value: what every codec keeps.
    static func shape(_ p: Profile) -> [[String]] {
        p.samples.map { s in p.frames(ofStack: s.stackID).map { "\($0.name)|\($0.kind.rawValue)" } + ["=\(s.value)"] }
    }

    /// Per-stack totals keyed by the stack's names: what folded keeps.
    static func stackTotals(_ p: Profile) -> [String: Int64] {
        var totals: [String: Int64] = [:]
        for s in p.samples {
            totals[p.frames(ofStack: s.stackID).map { "\($0.name)|\($0.kind.rawValue)" }.joined(separator: ";"), default: 0] += s.value
        }
        return totals
    }
}
