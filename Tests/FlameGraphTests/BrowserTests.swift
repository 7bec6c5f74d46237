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
            "--search", "Checkout", "--expect-top", "Shop.Tax.compute(Swift.Double) -> Swift.Double",
        ])
        #expect((report["consoleErrors"] as? [String])?.isEmpty == true)
        #expect(report["selfCheck"] as? String == "no per-sample data")
    }

    @Test func traceFilteredPageWorksInChromium() throws {
        let html = HTMLRenderer().render(profile: FixtureSupport.tracedProfile())
        let report = try BrowserSupport.check(html: html, name: "example-traced", arguments: [
            "--search", "slowPath", "--trace", "4bf92f35", "--expect-top", "Shop.Checkout.slowPath() -> ()",
        ])
        #expect(report["selfCheck"] as? String == "ok")
        #expect((report["traceFiltered"] as? [Int]) == [36, 70])
    }
}

extension BrowserTests {
    @Test func diffPageWorksInChromium() throws {
        let meta = ProfileMetadata(kind: .cpu, hz: 99, unwindMode: "fp", service: "shop")
        var v1 = meta, v2 = meta
        v1.version = "v1"
        v2.version = "v2"
        let base = try FoldedCodec.decode(FixtureSupport.text("shop-v1.folded"), metadata: v1)
        let cand = try FoldedCodec.decode(FixtureSupport.text("shop-v2.folded"), metadata: v2)
        let html = DiffRenderer().renderHTML(base: base, candidate: cand)
        let report = try BrowserSupport.check(html: html, name: "example-diff", arguments: ["--search", "Coupon", "--diff"])
        #expect((report["consoleErrors"] as? [String])?.isEmpty == true)
    }
}
