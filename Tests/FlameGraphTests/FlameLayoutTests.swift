@testable import FlameGraph
import ProfileModel
import Testing

@Suite struct FlameLayoutTests {
    func profile(_ lines: [(String, Int64)]) -> Profile {
        var p = Profile()
        for (stack, value) in lines {
            p.add(stack: stack.split(separator: ";").map { Frame(name: String($0)) }, value: value)
        }
        return p
    }

    @Test func mergesStacksAndCountsSelfAndTotal() {
        let tree = FlameTree(profile: profile([("a;b;c", 3), ("a;b", 2), ("a;d", 5), ("a;b;c", 1)]))
        #expect(tree.totalValue == 11)
        #expect(tree.nodes.count == 5) // all, a, b, c, d
        let names = tree.nodes.map(\.frame.name)
        #expect(names == ["all", "a", "b", "c", "d"]) // pre-order, alphabetical siblings
        #expect(tree.nodes[2].selfValue == 2 && tree.nodes[2].totalValue == 6)
        #expect(tree.nodes[3].selfValue == 4 && tree.nodes[3].depth == 3)
        #expect(tree.path(to: 3).map(\.name) == ["a", "b", "c"])
    }

    @Test func siblingsAreAlphabeticalNotInputOrder() {
        let tree = FlameTree(profile: profile([("main;zeta", 1), ("main;alpha", 1), ("main;Mid", 1), ("main;beta", 9)]))
        let children = tree.nodes[1].children.map { tree.nodes[$0].frame.name }
        #expect(children == ["Mid", "alpha", "beta", "zeta"])
    }

    @Test func widthsSumToParentMinusSelf() {
        let tree = FlameTree(profile: profile([("a;b;c", 3), ("a;b", 2), ("a;d", 5), ("e", 4), ("a;d;x;y", 1)]))
        let layout = FlameLayout(tree: tree)
        #expect(layout.rects.count == tree.nodes.count)
        #expect(layout.rects[0].x == 0 && layout.rects[0].width == 1)
        let byNode = Dictionary(uniqueKeysWithValues: layout.rects.map { ($0.node, $0) })
        for (i, node) in tree.nodes.enumerated() where !node.children.isEmpty {
            let childSum = node.children.reduce(0.0) { $0 + byNode[$1]!.width }
            let selfShare = Double(node.selfValue) / Double(tree.totalValue)
            #expect(abs(childSum + selfShare - byNode[i]!.width) < 1e-12)
            // Children are packed left to right from the parent's left edge.
            var x = byNode[i]!.x
            for child in node.children {
                #expect(abs(byNode[child]!.x - x) < 1e-12)
                #expect(byNode[child]!.depth == node.depth + 1)
                x += byNode[child]!.width
            }
        }
    }

    @Test func prunesNarrowBoxesAndCountsThem() {
        // "tiny" is 1 of 10,001 samples, below 0.001 of the width; its two-node subtree is elided.
        let tree = FlameTree(profile: profile([("main;big", 10_000), ("main;tiny;deeper", 1)]))
        let layout = FlameLayout(tree: tree, minWidth: 0.001)
        #expect(layout.elidedNodes == 2)
        #expect(layout.rects.map { tree.nodes[$0.node].frame.name } == ["all", "main", "big"])
        #expect(FlameLayout(tree: tree).elidedNodes == 0)
    }

    @Test func emptyProfileHasNoBoxes() {
        let tree = FlameTree(profile: Profile())
        let layout = FlameLayout(tree: tree)
        #expect(tree.totalValue == 0)
        #expect(layout.rects.isEmpty && layout.elidedNodes == 0)
    }

    @Test func nonPositiveSamplesAreSkippedAndCounted() {
        var p = profile([("a", 3)])
        p.add(stack: [Frame(name: "b")], value: 0)
        p.add(stack: [Frame(name: "c")], value: -4)
        let tree = FlameTree(profile: p)
        #expect(tree.totalValue == 3)
        #expect(tree.skippedSamples == 2)
    }

    @Test func sameNameDifferentKindStaysApart() {
        var p = Profile()
        p.add(stack: [Frame(name: "run", kind: .app)], value: 1)
        p.add(stack: [Frame(name: "run", kind: .python)], value: 1)
        #expect(FlameTree(profile: p).nodes.count == 3)
    }

    @Test func deepStacksDoNotOverflow() {
        let deep = (0..<20_000).map { "f\($0)" }.joined(separator: ";")
        let tree = FlameTree(profile: profile([(deep, 1)]))
        #expect(tree.maxDepth == 20_000)
        #expect(FlameLayout(tree: tree).maxDepth == 20_000)
    }

    @Test func traceFilterKeepsMatchingPrefixes() {
        let p = FixtureSupport.tracedProfile()
        #expect(FlameTree(profile: p, include: TraceIDFilter("4BF92F35").matches).totalValue == 36)
        #expect(FlameTree(profile: p, include: TraceIDFilter("4bf92f35, deadbeef").matches).totalValue == 44)
        #expect(FlameTree(profile: p, include: TraceIDFilter("ffff").matches).totalValue == 0)
        #expect(FlameTree(profile: p, include: TraceIDFilter("").matches).totalValue == p.totalValue)
    }
}

@Suite struct NumberFormatTests {
    @Test func fixedDecimals() {
        #expect(NumberFormat.fixed(12.345, 2) == "12.35" || NumberFormat.fixed(12.345, 2) == "12.34")
        #expect(NumberFormat.fixed(0.5, 0) == "1")
        #expect(NumberFormat.fixed(-3.14159, 3) == "-3.142")
        #expect(NumberFormat.fixed(7, 2) == "7.00")
        #expect(NumberFormat.fixed(0.05, 2) == "0.05")
        #expect(NumberFormat.fixed(-0.0001, 2) == "0.00")
    }

    @Test func groupingAndPercent() {
        #expect(NumberFormat.grouped(1_234_567) == "1,234,567")
        #expect(NumberFormat.grouped(999) == "999")
        #expect(NumberFormat.percent(1, of: 3) == "33.33%")
        #expect(NumberFormat.percent(1, of: 0) == "0.00%")
    }

    @Test func utcDates() {
        #expect(NumberFormat.utc(unixNs: 0) == "1970-01-01 00:00:00 UTC")
        #expect(NumberFormat.utc(unixNs: 1_764_075_600_000_000_000) == "2025-11-25 13:00:00 UTC")
        #expect(NumberFormat.utc(unixNs: 951_782_400_000_000_000) == "2000-02-29 00:00:00 UTC")
    }

    @Test func labelsAreCutToFit() {
        #expect(FrameLabel.fit("Shop.Checkout.price", pixels: 1000, fontSize: 12) == "Shop.Checkout.price")
        let cut = FrameLabel.fit("Shop.Checkout.price", pixels: 70, fontSize: 12)
        #expect(cut.hasSuffix("..") && cut.count == 9)
        #expect(FrameLabel.fit("Shop.Checkout.price", pixels: 20, fontSize: 12) == "")
    }

    @Test func escapingIsSafeForMarkupAndScripts() {
        #expect(MarkupEscape.xml("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;")
        #expect(MarkupEscape.xml("x\u{01}y") == "x\u{FFFD}y")
        #expect(MarkupEscape.jsonString("</script><!--") == "\"\\u003c/script\\u003e\\u003c!--\"")
        #expect(MarkupEscape.jsonString("q\"\\\n") == "\"q\\\"\\\\\\n\"")
    }
}
