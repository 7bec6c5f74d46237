/// Where each box of a flame graph goes, as fractions of the graph's width.
///
/// The layout is the one piece of maths both renderers (and the HTML page's script) share: a node's
/// width is its total over the root's total, children start at their parent's left edge in sibling
/// order, and boxes narrower than `minWidth` are left out (with their subtrees) and counted.
public struct FlameLayout: Sendable, Equatable {
    /// One box: a tree node placed on the graph.
    public struct Rect: Sendable, Equatable {
        /// Index into `FlameTree.nodes`.
        public var node: Int
        /// Left edge, 0...1 of the graph's width.
        public var x: Double
        /// Width, 0...1 of the graph's width.
        public var width: Double
        /// Row: 0 is the root row.
        public var depth: Int
    }

    /// Boxes in pre-order (parents before children, siblings alphabetical).
    public let rects: [Rect]
    /// Nodes left out because they (or an ancestor) were narrower than `minWidth`.
    public let elidedNodes: Int
    /// The deepest row drawn.
    public let maxDepth: Int

    /// Lays out `tree`. `minWidth` is a fraction of the full width (e.g. 0.1 px / 1200 px).
    public init(tree: FlameTree, minWidth: Double = 0) {
        let total = tree.totalValue
        guard total > 0 else {
            rects = []
            elidedNodes = 0
            maxDepth = 0
            return
        }
        var rects: [Rect] = []
        var elided = 0
        var deepest = 0
        var work: [(node: Int, x: Double)] = [(0, 0)]
        while let item = work.popLast() {
            let node = tree.nodes[item.node]
            let width = Double(node.totalValue) / Double(total)
            if width < minWidth || node.totalValue <= 0 {
                elided += Self.subtreeSize(tree, item.node)
                continue
            }
            rects.append(Rect(node: item.node, x: item.x, width: width, depth: node.depth))
            deepest = max(deepest, node.depth)
            // Children are placed left to right from the parent's left edge; pushed reversed for pre-order.
            var childX = item.x
            var placed: [(Int, Double)] = []
            for child in node.children {
                placed.append((child, childX))
                childX += Double(tree.nodes[child].totalValue) / Double(total)
            }
            work.append(contentsOf: placed.reversed())
        }
        self.rects = rects
        self.elidedNodes = elided
        self.maxDepth = deepest
    }

    private static func subtreeSize(_ tree: FlameTree, _ index: Int) -> Int {
        var count = 0
        var work = [index]
        while let i = work.popLast() {
            count += 1
            work.append(contentsOf: tree.nodes[i].children)
        }
        return count
    }
}
