import FlameGraph
import Foundation
import ProfileModel
import Testing

/// Opens the HTML pages in real headless Chromium: no console errors, the browser-built tree
/// equals the Swift one, search/zoom/reset/toggle/trace filter work. Screenshots go to
/// results/flamegraph/. Skipped (with the reason) without chromium+selenium, except under CI=true.
@Suite(.serialized, .enabled(if: BrowserSupport.shouldRun, "needs chromium, chromium-driver and python3-selenium"))
struct BrowserTests {
    @Test func singleProfilePageWorksInChromium() throws {
        let html = HTMLRenderer().render(profile: try FixtureSupport.shopProfile())
        let report = try BrowserSupport.check(html: html, name: "example", arguments: [
            "--search", "Checkout", "--expect-top", "Shop.Tax.compute", "--hover", "Shop.Tax.compute",
        ])
        #expect((report["consoleErrors"] as? [String])?.isEmpty == true)
        #expect(report["selfCheck"] as? String == "no per-sample data")
    }

    @Test func traceFilteredPageWorksInChromium() throws {
        let html = HTMLRenderer().render(profile: FixtureSupport.tracedProfile())
        let report = try BrowserSupport.check(html: html, name: "example-traced", arguments: [
            "--search", "slowPath", "--trace", "4bf92f35", "--expect-top", "Shop.Checkout.slowPath", "--hover", "Shop.Checkout.slowPath",
        ])
        #expect(report["selfCheck"] as? String == "ok")
        #expect((report["traceFiltered"] as? [Int]) == [36, 70])
    }
}

extension BrowserTests {
    @Test func diffPageWorksInChromium() throws {
        let meta = ProfileMetadata(kind: .cpu, hz: 99, unwindMode: .fp, service: "shop")
        var v1 = meta, v2 = meta
        v1.version = "v1"
        v2.version = "v2"
        let base = try FoldedCodec.decode(FixtureSupport.text("shop-v1.folded"), metadata: v1)
        let cand = try FoldedCodec.decode(FixtureSupport.text("shop-v2.folded"), metadata: v2)
        let html = DiffRenderer().renderHTML(base: base, candidate: cand)
        let report = try BrowserSupport.check(html: html, name: "example-diff", arguments: ["--search", "Coupon", "--diff", "--hover", "Shop.Coupon.validate"])
        #expect((report["consoleErrors"] as? [String])?.isEmpty == true)
    }
}

extension BrowserTests {
    /// A profile the size of a busy minute: 20,000 distinct stacks, 2,000 traces. The page must stay
    /// usable (no errors, trace filter and search work); the re-render time is reported, not asserted.
    @Test func largeTracedPageWorksInChromium() throws {
        var profile = Profile(metadata: ProfileMetadata(kind: .cpu, hz: 999, unwindMode: .dwarf, service: "shop", version: "v2"))
        var seed: UInt64 = 42
        func next(_ n: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(n))
        }
        let kinds: [FrameKind] = [.app, .app, .swiftRuntime, .libc, .python, .kernel, .unknown]
        for i in 0..<20_000 {
            var stack = [Frame(name: "start_thread", kind: .libc)]
            for depth in 0..<(4 + next(18)) {
                stack.append(Frame(name: "Module\(depth % 3).function\(next(12 - min(depth, 9)))", kind: kinds[next(kinds.count)]))
            }
            let trace = TraceID(high: 0, low: UInt64(i % 2_000 + 1))
            profile.add(stack: stack, value: Int64(1 + next(5)), labels: SampleLabels(traceID: trace))
        }
        let html = HTMLRenderer().render(profile: profile)
        let report = try BrowserSupport.check(html: html, name: "large-traced", arguments: [
            "--search", "function3", "--trace", String(format: "%032x", 7),
        ])
        #expect(report["selfCheck"] as? String == "ok")
        print("large page: \(html.utf8.count) bytes, \(report["rects"] ?? "?") boxes, re-render \(report["rerenderMs"] ?? "?") ms")
    }
}

extension BrowserTests {
    /// Off-CPU values are nanoseconds: the page must show milliseconds and work the same way.
    @Test func offCPUPageWorksInChromium() throws {
        var profile = Profile(metadata: ProfileMetadata(kind: .offcpu, unwindMode: .fp, service: "shop", version: "v1",
                                                        startUnixNs: 1_764_075_600_000_000_000, endUnixNs: 1_764_075_610_000_000_000))
        let root = Frame(name: "start_thread", module: "libc.so.6", kind: .libc)
        let handle = Frame(name: "Shop.Server.handle(Shop.Request) -> Shop.Response", module: "flamelab-shop", kind: .app)
        let inventory = Frame(name: "Shop.Inventory.fetch() -> ()", module: "flamelab-shop", kind: .app)
        let sleep = Frame(name: "nanosleep", module: "libc.so.6", kind: .libc)
        let schedule = Frame(name: "schedule", module: "[kernel]", kind: .kernel)
        for i in 0..<20 {
            profile.add(stack: [root, handle, inventory, sleep, schedule], value: 50_000_000,
                        labels: SampleLabels(traceID: TraceID(high: 0, low: UInt64(i % 4 + 1))))
        }
        profile.add(stack: [root, Frame(name: "epoll_wait", module: "libc.so.6", kind: .libc), schedule], value: 900_000_000)
        let html = HTMLRenderer().render(profile: profile)
        #expect(html.contains("off-CPU · every block recorded · unwind fp · 21 blocking events, 1900.00 ms off CPU"))
        let report = try BrowserSupport.check(html: html, name: "example-offcpu", arguments: [
            "--search", "Inventory", "--trace", String(format: "%032x", 2), "--expect-top", "nanosleep",
        ])
        #expect((report["traceFiltered"] as? [Int]) == [250_000_000, 1_900_000_000])
        #expect((report["tooltip"] as? String)?.contains(" ms (") == true)
    }
}
