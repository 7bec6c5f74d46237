@testable import FlameGraph
import ProfileModel
import Testing

@Suite struct RendererTests {
    @Test func svgMatchesStoredFile() throws {
        let svg = SVGRenderer().render(profile: try FixtureSupport.shopProfile())
        try FixtureSupport.expectMatchesStored(svg, "shop-cpu.svg")
    }

    @Test func icicleSVGMatchesStoredFile() throws {
        let svg = SVGRenderer(style: SVGStyle(width: 900, orientation: .icicle))
            .render(profile: try FixtureSupport.shopProfile(), title: "Shop <v1> icicle")
        try FixtureSupport.expectMatchesStored(svg, "shop-cpu-icicle.svg")
    }

    @Test func htmlMatchesStoredFile() throws {
        let html = HTMLRenderer().render(profile: try FixtureSupport.shopProfile())
        try FixtureSupport.expectMatchesStored(html, "shop-cpu.html")
    }

    @Test func tracedHTMLMatchesStoredFile() throws {
        let html = HTMLRenderer().render(profile: FixtureSupport.tracedProfile())
        try FixtureSupport.expectMatchesStored(html, "shop-traced.html")
    }

    @Test func memorySVGMatchesStoredFile() throws {
        let svg = SVGRenderer().render(profile: FixtureSupport.memoryProfile())
        #expect(svg.contains("in-use memory · 1 sample per 512.00 KiB allocated (mean) · unwind fp · 8 sampled allocations, 4.00 MiB estimated"))
        #expect(svg.contains("self: 3.00 MiB (75.00%)"))
        #expect(svg.contains("width = share of estimated bytes"))
        try FixtureSupport.expectMatchesStored(svg, "shop-inuse.svg")
    }

    /// `--sample-type objects`: the same profile valued in allocations, which every label says.
    @Test func memoryObjectsAreLabelledAllocations() throws {
        let profile = FixtureSupport.memoryProfile().selectingSampleType(.objects)
        let svg = SVGRenderer().render(profile: profile)
        #expect(svg.contains("8 sampled allocations, 536 allocations estimated"))
        #expect(svg.contains("self: 512 allocations (95.52%)"))
        #expect(svg.contains("width = share of estimated allocations"))
        #expect(!svg.contains("KiB estimated"))
        let html = HTMLRenderer().render(profile: profile)
        #expect(html.contains("\"unit\":\"allocations\"") && html.contains("\"measure\":\"estimated allocations\""))
        try FixtureSupport.expectMatchesStored(html, "shop-inuse-objects.html")
    }

    @Test func svgStatesMetadataAndTooltips() throws {
        let svg = SVGRenderer().render(profile: try FixtureSupport.shopProfile())
        #expect(svg.contains("CPU · 99 Hz · unwind fp · 98 samples · 2025-11-25 13:00:00 UTC + 30.0 s"))
        #expect(svg.contains("CPU flame graph: shop v1"))
        // Tax.compute is 41 of 98 samples, all self.
        #expect(svg.contains("<title>Shop.Tax.compute(Swift.Double) -&gt; Swift.Double\nself: 41 samples (41.84%)\ntotal: 41 samples (41.84%)</title>"))
        #expect(svg.contains("<title>do_syscall_64\nself: 0 samples (0.00%)\ntotal: 6 samples (6.12%)</title>"))
        for group in FrameKindGroup.allCases { #expect(svg.contains(">\(MarkupEscape.xml(group.label))</text>")) }
    }

    @Test func framesAreColouredByKind() throws {
        let svg = SVGRenderer().render(profile: try FixtureSupport.shopProfile())
        func fill(of name: String) -> String? {
            guard let title = svg.range(of: "<title>\(name)") else { return nil }
            let rest = svg[title.upperBound...]
            guard let f = rest.range(of: "fill=\"") else { return nil }
            return String(rest[f.upperBound...].prefix { $0 != "\"" })
        }
        #expect(fill(of: "Shop.Tax.compute") == FlamePalette.color(for: Frame(name: "Shop.Tax.compute(Swift.Double) -> Swift.Double", kind: .app)).css)
        #expect(fill(of: "ksys_write") == FlamePalette.color(for: Frame(name: "ksys_write", kind: .kernel)).css)
        #expect(fill(of: "score") == FlamePalette.color(for: Frame(name: "score", kind: .python)).css)
        // Groups are far apart in hue: an app box is red-orange, a Python box blue.
        let app = FlamePalette.color(for: Frame(name: "x", kind: .app)), python = FlamePalette.color(for: Frame(name: "x", kind: .python))
        #expect(app.red > app.blue + 100 && python.blue > python.red + 60)
    }

    @Test func emptyProfileSaysSo() {
        let svg = SVGRenderer().render(profile: Profile())
        #expect(svg.contains("No samples in this profile."))
        #expect(svg.hasSuffix("</svg>\n"))
    }

    @Test func htmlIsSelfContained() throws {
        let html = HTMLRenderer().render(profile: FixtureSupport.tracedProfile(), traceFilter: TraceIDFilter("4bf9"))
        #expect(!html.contains("http://") || !html.contains("src=\"http"))
        #expect(!html.contains("<script src") && !html.contains("<link "))
        #expect(html.contains("\"filter\":\"4bf9\""))
        #expect(html.contains("\"traces\":[\"4bf92f3577b34da6a3ce929d0e0e4736\",\"00f067aa0ba902b7aaaaaaaaaaaaaaaa\",\"deadbeefdeadbeefdeadbeefdeadbeef\"]"))
        #expect(html.contains("trace filter: 4bf9"))
    }

    @Test func hostileNamesCannotBreakOutOfTheScript() {
        var p = Profile()
        p.add(stack: [Frame(name: "</script><script>alert(1)</script>"), Frame(name: "a&b<c>")], value: 2)
        let html = HTMLRenderer().render(profile: p)
        #expect(!html.contains("<script>alert(1)"))
        let svg = SVGRenderer().render(profile: p)
        #expect(!svg.contains("<script>"))
    }
}
