import ProfileModel

/// A merged call tree: every stack of a profile folded into one tree, the shape a flame graph draws.
///
/// Node 0 is the synthetic root `all`. Nodes are numbered in pre-order and every node's children are
/// sorted alphabetically by name (then module and kind), as FlameGraph does: the x-axis of a flame
/// graph is alphabetical, not time. Frames merge by name, module and kind, so one Python function
/// sampled at different lines is one box.
public struct FlameTree: Sendable, Equatable {
    /// One box of the flame graph before layout.
    public struct Node: Sendable, Equatable {
        /// The frame this node stands for; the root is `Frame(name: "all")`.
        public var frame: Frame
        /// Value of samples whose leaf is this node.
        public var selfValue: Int64
        /// Value of all samples passing through this node (self plus children).
        public var totalValue: Int64
        /// Distance from the root (root = 0).
        public var depth: Int
        /// Index of the parent node, -1 for the root.
        public var parent: Int
        /// Indices of the children, in alphabetical order.
        public var children: [Int]

        public init(frame: Frame, selfValue: Int64, totalValue: Int64, depth: Int, parent: Int, children: [Int]) {
            self.frame = frame
            self.selfValue = selfValue
            self.totalValue = totalValue
            self.depth = depth
            self.parent = parent
            self.children = children
        }
    }

    /// The nodes in pre-order; `nodes[0]` is the root.
    public private(set) var nodes: [Node]
    /// Samples left out because their value was zero or negative (counted so nothing vanishes silently).
    public private(set) var skippedSamples: Int

    /// The name of the synthetic root frame.
    public static let rootName = "all"

    /// Total value of the tree (the root's total).
    public var totalValue: Int64 { nodes[0].totalValue }
    /// The deepest node's depth.
    public var maxDepth: Int { nodes.map(\.depth).max() ?? 0 }

    /// Builds the merged tree of `profile`, keeping only samples for which `include` returns true.
    public init(profile: Profile, include: (Sample) -> Bool = { _ in true }) {
        var builder = FlameTreeBuilder()
        var skipped = 0
        for sample in profile.samples where include(sample) {
            guard sample.value > 0 else { skipped += 1; continue }
            builder.add(stack: profile.frames(ofStack: sample.stackID), value: sample.value)
        }
        self.nodes = builder.finish()
        self.skippedSamples = skipped
    }

    /// Wraps nodes already in pre-order with alphabetical children (used by the differential graph).
    public init(preorderNodes: [Node]) {
        precondition(!preorderNodes.isEmpty, "a flame tree has at least its root")
        self.nodes = preorderNodes
        self.skippedSamples = 0
    }

    /// The path of frames from the root's first child down to `index`, root first.
    public func path(to index: Int) -> [Frame] {
        var frames: [Frame] = []
        var i = index
        while i > 0 {
            frames.append(nodes[i].frame)
            i = nodes[i].parent
        }
        return frames.reversed()
    }

    /// The order flame graphs put siblings in: by name, then module, then kind, so it is total.
    public static func siblingOrder(_ a: Frame, _ b: Frame) -> Bool {
        if a.name != b.name { return a.name < b.name }
        if a.module != b.module { return a.module < b.module }
        return a.kind < b.kind
    }
}
