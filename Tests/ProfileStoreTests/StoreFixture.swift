import Foundation
import ProfileModel
import ProfileStore

/// A fresh directory per test, removed at the end, and small hand-made profiles.
final class StoreFixture {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "profilestore-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    var storePath: String { directory + "/profiles.sqlite" }

    func openStore(busyTimeout: Double = 5) throws -> ProfileStore {
        try ProfileStore(path: storePath, busyTimeout: busyTimeout)
    }

    static let traceA = TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736")!
    static let traceB = TraceID(hex: "00f067aa0ba902b700f067aa0ba902b7")!
    static let spanA = SpanID(hex: "00f067aa0ba902b7")!

    /// A CPU profile with Swift, libc, Python and kernel frames, two traces and untraced samples.
    static func sampleProfile(version: String = "v1", kind: ProfileKind = .cpu, startTime: UInt64 = 1_000) -> Profile {
        var profile = Profile(metadata: ProfileMetadata(
            kind: kind, hz: kind == .cpu ? 99 : 0, unwindMode: .dwarf, service: "shop", version: version,
            startUnixNs: 1_700_000_000_000_000_000, endUnixNs: 1_700_000_010_000_000_000, dropped: 3))
        let root = Frame(name: "_start", module: "flamelab-shop", kind: .libc)
        let main = Frame(name: "main", module: "flamelab-shop", kind: .app)
        let hot = Frame(name: "ShopService.checkout(cart: ShopService.Cart) -> Swift.Double", module: "flamelab-shop", kind: .app)
        let py = Frame(name: "Worker.score", module: "worker.py", kind: .python, file: "services/shop/python/worker.py", line: 42)
        let eval = Frame(name: "_PyEval_EvalFrameDefault", module: "libpython3.11.so.1.0", kind: .interpreter)
        let kernel = Frame(name: "do_syscall_64", module: "[kernel]", kind: .kernel, file: "", line: 0)
        let unknown = Frame(name: "[unknown]")
        // The store returns a run's samples by time, untimed ones first: this profile is in that order.
        profile.add(stack: [root], value: 4, labels: .none)
        profile.add(stack: [root, main, hot], value: kind == .cpu ? 1 : 5_000,
                    labels: SampleLabels(traceID: traceA, spanID: spanA, pid: 10, tid: 11, timestampNs: startTime))
        profile.add(stack: [root, main, eval, py], value: kind == .cpu ? 1 : 7_000,
                    labels: SampleLabels(traceID: traceA, spanID: SpanID(1), pid: 10, tid: 11, timestampNs: startTime + 10))
        profile.add(stack: [root, main, hot], value: kind == .cpu ? 2 : 9_000,
                    labels: SampleLabels(traceID: traceB, spanID: SpanID(hex: "ffffffffffffffff"), pid: 10, tid: 12, timestampNs: startTime + 20))
        profile.add(stack: [root, main, kernel, unknown], value: kind == .cpu ? 1 : 1_000,
                    labels: SampleLabels(pid: 10, tid: 12, timestampNs: startTime + 30))
        return profile
    }
}
