@testable import FlameGraph
import ProfileModel
import Testing

@Suite struct DiffRendererTests {
    let metadataV1 = ProfileMetadata(kind: .cpu, hz: 99, unwindMode: .fp, service: "shop", version: "v1",
                                     startUnixNs: 1_764_075_600_000_000_000, endUnixNs: 1_764_075_900_000_000_000)
    let metadataV2 = ProfileMetadata(kind: .cpu, hz: 99, unwindMode: .fp, service: "shop", version: "v2",
                                     startUnixNs: 1_764_076_000_000_000_000, endUnixNs: 1_764_076_300_000_000_000)

    func profiles() throws -> (Profile, Profile) {
        (try FoldedCodec.decode(FixtureSupport.text("shop-v1.folded"), metadata: metadataV1),
         try FoldedCodec.decode(FixtureSupport.text("shop-v2.folded"), metadata: metadataV2))
    }

    func data() throws -> DiffFlameData {
        let (base, cand) = try profiles()
        return DiffFlameData(diffTree: DiffTree(base: base, candidate: cand))
    }

    func node(_ data: DiffFlameData, _ prefix: String) -> Int {
        data.tree.nodes.firstIndex { $0.frame.name.hasPrefix(prefix) }!
    }

    /// A handmade table, to pin the table's formatting independent of the statistics.
    static let rows = [
        DiffTableRow(function: "Shop.Coupon.validate(Swift.String) -> Swift.Bool", kind: .app, baseShare: 0, candidateShare: 260.0 / 1150,
                     baseCount: 0, candidateCount: 260, pValue: 0, significant: true, isNew: true),
        DiffTableRow(function: "score", kind: .python, baseShare: 0.2, candidateShare: 150.0 / 1150, baseCount: 200,
                     candidateCount: 150, pValue: 0.00002, significant: true, isNew: false),
        DiffTableRow(function: "swift_retain", kind: .swiftRuntime, baseShare: 0.06, candidateShare: 65.0 / 1150, baseCount: 60,
                     candidateCount: 65, pValue: 0.72, significant: false, isNew: false),
    ]

    @Test func widthsComeFromCandidateAndBaseValuesArePaired() throws {
        let d = try data()
        #expect(d.baseTotalValue == 1000 && d.candidateTotalValue == 1150)
        let tax = node(d, "Shop.Tax.compute")
        #expect(d.tree.nodes[tax].totalValue == 310 && d.baseSelf[tax] == 300)
        // Normalised to own totals: 300/1000 = 30% -> 310/1150 = 26.96%: it shrank although its count grew.
        #expect(abs(d.selfShareChange(tax) - (310.0 / 1150 - 0.3)) < 1e-12)
        #expect(d.selfShareChange(tax) < 0)
    }

    @Test func newAndGoneFramesAreFound() throws {
        let d = try data()
        let coupon = node(d, "Shop.Coupon.validate")
        #expect(d.isNew[coupon])
        #expect(d.isNew[node(d, "Shop.Catalog.rank")])
        #expect(!d.isNew[node(d, "Shop.Tax.compute")])
        #expect(d.isNew.filter { $0 }.count == 2)
        #expect(d.gone.count == 1)
        #expect(d.gone.first?.path.last?.name == "Shop.Catalog.legacyRank(Shop.Item) -> Swift.Int")
        #expect(d.gone.first?.baseTotal == 120)
    }

    @Test func coloursFollowSelfShareChange() throws {
        let d = try data()
        let scale = d.colorScale
        let coupon = node(d, "Shop.Coupon.validate")
        // The largest change is the new function: full red.
        #expect(abs(scale - 260.0 / 1150) < 1e-12)
        #expect(DiffPalette.color(delta: d.selfShareChange(coupon), scale: scale) == DiffPalette.grew)
        let score = DiffPalette.color(delta: d.selfShareChange(node(d, "score")), scale: scale)
        #expect(score.blue > score.red)
        // A frame with no self time (handle) has no change: neutral.
        #expect(DiffPalette.color(delta: d.selfShareChange(node(d, "Shop.Server.handle")), scale: scale) == DiffPalette.neutral)
        // Intensity is proportional: half the scale is half-way to full red.
        #expect(DiffPalette.color(delta: 0.05, scale: 0.1) == DiffPalette.neutral.mixed(with: DiffPalette.grew, 0.5))
        // Pure noise is not painted at full strength: the scale never drops below 1 pp.
        #expect(DiffPalette.intensity(delta: 0.001, scale: 0.001) == 0.1)
    }

    @Test func diffSVGMatchesStoredFile() throws {
        let (base, cand) = try profiles()
        try FixtureSupport.expectMatchesStored(DiffRenderer().renderSVG(base: base, candidate: cand), "shop-diff.svg")
    }

    @Test func diffHTMLMatchesStoredFile() throws {
        let (base, cand) = try profiles()
        try FixtureSupport.expectMatchesStored(DiffRenderer().renderHTML(base: base, candidate: cand), "shop-diff.html")
    }

    @Test func diffSVGMarksNewFramesAndListsGoneOnes() throws {
        let (base, cand) = try profiles()
        let data = DiffFlameData(diffTree: DiffTree(base: base, candidate: cand))
        let svg = DiffRenderer().svg(data, rows: Self.rows, caption: ProfileCaption(base: base, candidate: cand))
        #expect(svg.contains("Shop.Coupon.validate(Swift.String) -&gt; Swift.Bool (\nNEW in candidate") || svg.contains("<title>Shop.Coupon.validate(Swift.String) -&gt; Swift.Bool\nNEW in candidate"))
        #expect(svg.components(separatedBy: "fill=\"url(#hatch)\" stroke=").count - 1 == 2)
        #expect(svg.contains("12.00%  Shop.Catalog.legacyRank(Shop.Item) -&gt; Swift.Int ← Shop.Catalog.search(Swift.String) -&gt; [Shop.Item] ← "))
        #expect(svg.contains(">+22.61 pp</text>") && svg.contains(">new</text>") && svg.contains("p=0.720 (noise)"))
        #expect(svg.contains("Differential CPU flame graph: shop v1 → shop v2"))
    }
}

extension DiffRendererTests {
    @Test func tableComesFromProfileDiffWithSignificance() throws {
        let (base, cand) = try profiles()
        let rows = DiffRenderer.rows(ProfileDiff.compute(base: base, candidate: cand), alpha: 0.05)
        #expect(rows.first?.function == "Shop.Coupon.validate(Swift.String) -> Swift.Bool")
        #expect(rows.first?.isNew == true && rows.first?.significant == true)
        // swift_retain: 60/1000 -> 65/1150 is noise at these counts.
        let retain = rows.first { $0.function == "swift_retain" }
        #expect(retain?.significant == false)
        #expect(retain?.relativeChangeText == "-5.8%")
    }

    @Test func diffTreeAdapterMatchesTheModel() throws {
        let (base, cand) = try profiles()
        let diff = DiffTree(base: base, candidate: cand)
        let d = DiffFlameData(diffTree: diff)
        #expect(d.tree.totalValue == diff.candTotal)
        #expect(d.tree.nodes.count == diff.nodes.filter { $0.candTotal > 0 }.count)
        #expect(FlameLayout(tree: d.tree).rects.count == d.tree.nodes.count)
    }

    /// A memory diff's widths are the candidate's bytes (or allocations), and both renderings say so.
    @Test func memoryDiffSaysItsUnit() {
        let profile = FixtureSupport.memoryProfile()
        #expect(DiffRenderer().renderSVG(base: profile, candidate: profile).contains("width = share of candidate estimated bytes"))
        let objects = profile.selectingSampleType(.objects)
        #expect(DiffRenderer().renderHTML(base: objects, candidate: objects).contains("\"measure\":\"candidate estimated allocations\""))
    }
}
