import Foundation
import ProfileModel
import Testing

/// Reads and (deliberately, with FLAMELAB_UPDATE_FIXTURES=1) writes the stored expected files beside the tests.
enum FixtureSupport {
    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    /// The handmade CPU profile with fixed metadata (99 Hz, fp, a 30 s window).
    static func shopProfile() throws -> Profile {
        let metadata = ProfileMetadata(kind: .cpu, hz: 99, unwindMode: .fp, service: "shop", version: "v1",
                                       startUnixNs: 1_764_075_600_000_000_000, endUnixNs: 1_764_075_630_000_000_000)
        return try FoldedCodec.decode(text("shop-cpu.folded"), metadata: metadata)
    }

    /// An in-use memory profile: a leak (one stack of big carts) beside many small receipt lines.
    static func memoryProfile() -> Profile {
        var metadata = ProfileMetadata(kind: .inuse, unwindMode: .fp, service: "shop", version: "v1",
                                       startUnixNs: 1_764_075_600_000_000_000, endUnixNs: 1_764_075_630_000_000_000)
        metadata.allocationRateBytes = 524_288
        var profile = Profile(metadata: metadata)
        let root = Frame(name: "start_thread", module: "libc.so.6", kind: .libc)
        let checkout = Frame(name: "Shop.Checkout.run() -> ()", module: "flamelab-shop", kind: .app)
        let remember = Frame(name: "Shop.SessionCache.rememberCart(Shop.Cart) -> ()", module: "flamelab-shop", kind: .app)
        let receipt = Frame(name: "Shop.Receipt.formatLines() -> [Swift.String]", module: "flamelab-shop", kind: .app)
        let leak = profile.intern(stack: [root, checkout, remember].map { profile.intern($0) })
        let churn = profile.intern(stack: [root, checkout, receipt].map { profile.intern($0) })
        for _ in 0..<6 { profile.add(stackID: leak, value: 524_288, objects: 4) }
        for _ in 0..<2 { profile.add(stackID: churn, value: 524_288, objects: 256) }
        return profile
    }

    /// A profile whose samples carry trace ids: three traces plus untraced background samples.
    static func tracedProfile() -> Profile {
        var profile = Profile(metadata: ProfileMetadata(kind: .cpu, hz: 999, unwindMode: .dwarf, service: "shop", version: "v2",
                                                        startUnixNs: 1_764_075_600_000_000_000, endUnixNs: 1_764_075_660_000_000_000))
        let root = Frame(name: "start_thread", module: "libc.so.6", kind: .libc)
        let handle = Frame(name: "Shop.Server.handle(Shop.Request) -> Shop.Response", module: "flamelab-shop", kind: .app)
        let slow = Frame(name: "Shop.Checkout.slowPath() -> ()", module: "flamelab-shop", kind: .app)
        let fast = Frame(name: "Shop.Checkout.fastPath() -> ()", module: "flamelab-shop", kind: .app)
        let py = Frame(name: "score", module: "recommender.py", kind: .python, file: "recommender.py", line: 30)
        let eval = Frame(name: "_PyEval_EvalFrameDefault", module: "libpython3.11.so.1.0", kind: .interpreter)
        let kernel = Frame(name: "do_syscall_64", module: "[kernel]", kind: .kernel)
        let traces = ["4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7aaaaaaaaaaaaaaaa", "deadbeefdeadbeefdeadbeefdeadbeef"].map { TraceID(hex: $0)! }
        for i in 0..<30 { profile.add(stack: [root, handle, slow], value: 1, labels: SampleLabels(traceID: traces[0], timestampNs: UInt64(i))) }
        for _ in 0..<6 { profile.add(stack: [root, handle, fast], value: 1, labels: SampleLabels(traceID: traces[0])) }
        for _ in 0..<12 { profile.add(stack: [root, handle, fast], value: 1, labels: SampleLabels(traceID: traces[1])) }
        for _ in 0..<8 { profile.add(stack: [root, handle, eval, py], value: 1, labels: SampleLabels(traceID: traces[2])) }
        for _ in 0..<4 { profile.add(stack: [root, handle, kernel], value: 1, labels: SampleLabels(traceID: traces[1])) }
        for _ in 0..<10 { profile.add(stack: [root, eval, py], value: 1) }
        return profile
    }

    /// Compares `actual` with the stored file `name`; with FLAMELAB_UPDATE_FIXTURES=1 rewrites it instead.
    static func expectMatchesStored(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["FLAMELAB_UPDATE_FIXTURES"] == "1" {
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let stored = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("missing stored expected file \(name); run with FLAMELAB_UPDATE_FIXTURES=1 to create it", sourceLocation: sourceLocation)
            return
        }
        if stored != actual {
            let a = stored.split(separator: "\n", omittingEmptySubsequences: false)
            let b = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
            let expectedLine = first < a.count ? String(a[first].prefix(300)) : "<end>"
            let actualLine = first < b.count ? String(b[first].prefix(300)) : "<end>"
            Issue.record("\(name) differs from the stored file at line \(first + 1):\n expected: \(expectedLine)\n actual:   \(actualLine)",
                         sourceLocation: sourceLocation)
        }
    }
}
