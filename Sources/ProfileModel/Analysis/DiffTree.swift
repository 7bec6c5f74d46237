/// A merged call tree of two profiles, for the differential flame graph.
///
/// Nodes are keyed by their root-first path of frame names; node 0 is a synthetic root holding
/// both totals. Children are sorted by name (a flame graph's alphabetical x-axis). Shares are of
/// each side's own total, so profiles of different lengths compare. The renderer takes widths
/// from the candidate (`candTotalShare`), colours by `selfShareChange`, flags `isNew` nodes and
/// lists `goneNodes`.
public struct DiffTree: Sendable {
    public struct Node: Sendable, Codable, Equatable {
        public var name: String
        public var kind: FrameKind
        public var depth: Int
        /// Index of the parent node; nil for the root.
        public var parent: Int?
        /// Child node indices, sorted by name.
        public var children: [Int]
        public var baseTotal: Int64
        public var baseSelf: Int64
        public var candTotal: Int64
        public var candSelf: Int64
    }

    public private(set) var nodes: [Node]
    public let baseTotal: Int64
    public let candTotal: Int64

    public init(base: Profile, candidate: Profile) {
        nodes = [Node(name: "all", kind: .unknown, depth: 0, parent: nil, children: [],
                      baseTotal: 0, baseSelf: 0, candTotal: 0, candSelf: 0)]
        var childIndex: [ChildKey: Int] = [:]
        baseTotal = Self.add(base, isCandidate: false, to: &nodes, childIndex: &childIndex)
        candTotal = Self.add(candidate, isCandidate: true, to: &nodes, childIndex: &childIndex)
        for i in nodes.indices {
            let sorted = nodes[i].children.sorted { nodes[$0].name < nodes[$1].name }
            nodes[i].children = sorted
        }
    }

    private struct ChildKey: Hashable {
        var parent: Int
        var name: String
    }

    /// Adds a profile's stacks to the tree; returns its total.
    private static func add(_ profile: Profile, isCandidate: Bool, to nodes: inout [Node],
                            childIndex: inout [ChildKey: Int]) -> Int64 {
        var perStack = [Int64](repeating: 0, count: profile.stacks.count)
        for sample in profile.samples { perStack[sample.stackID] &+= sample.value }
        var total: Int64 = 0
        for (id, value) in perStack.enumerated() where value != 0 {
            total &+= value
            var current = 0
            credit(&nodes[0], value, isSelf: profile.stacks[id].isEmpty, isCandidate: isCandidate)
            for (depth, frameID) in profile.stacks[id].enumerated() {
                let frame = profile.frames[Int(frameID)]
                let key = ChildKey(parent: current, name: frame.name)
                let child: Int
                if let existing = childIndex[key] {
                    child = existing
                } else {
                    child = nodes.count
                    nodes.append(Node(name: frame.name, kind: frame.kind, depth: depth + 1, parent: current, children: [],
                                      baseTotal: 0, baseSelf: 0, candTotal: 0, candSelf: 0))
                    nodes[current].children.append(child)
                    childIndex[key] = child
                }
                credit(&nodes[child], value, isSelf: depth == profile.stacks[id].count - 1, isCandidate: isCandidate)
                current = child
            }
        }
        return total
    }

    private static func credit(_ node: inout Node, _ value: Int64, isSelf: Bool, isCandidate: Bool) {
        if isCandidate {
            node.candTotal &+= value
            if isSelf { node.candSelf &+= value }
        } else {
            node.baseTotal &+= value
            if isSelf { node.baseSelf &+= value }
        }
    }

    private func share(_ value: Int64, of total: Int64) -> Double { total > 0 ? Double(value) / Double(total) : 0 }

    public func baseTotalShare(_ i: Int) -> Double { share(nodes[i].baseTotal, of: baseTotal) }
    public func candTotalShare(_ i: Int) -> Double { share(nodes[i].candTotal, of: candTotal) }
    public func baseSelfShare(_ i: Int) -> Double { share(nodes[i].baseSelf, of: baseTotal) }
    public func candSelfShare(_ i: Int) -> Double { share(nodes[i].candSelf, of: candTotal) }
    /// Candidate self share minus base self share (positive = grew: red).
    public func selfShareChange(_ i: Int) -> Double { candSelfShare(i) - baseSelfShare(i) }    /// On this path only in the candidate.
    public func isNew(_ i: Int) -> Bool { i != 0 && nodes[i].baseTotal == 0 && nodes[i].candTotal > 0 }
    /// On this path only in the base.
    public func isGone(_ i: Int) -> Bool { i != 0 && nodes[i].candTotal == 0 && nodes[i].baseTotal > 0 }

    /// The topmost gone nodes (whose parent is not gone), by base total descending.
    public var goneNodes: [Int] {
        nodes.indices.filter { isGone($0) && !isGone(nodes[$0].parent ?? 0) }
            .sorted { (nodes[$0].baseTotal, nodes[$1].name) > (nodes[$1].baseTotal, nodes[$0].name) }
    }

    /// The root-first frame names leading to node `i` (the root itself excluded).
    public func path(_ i: Int) -> [String] {
        var names: [String] = []
        var current: Int? = i
        while let c = current, c != 0 {
            names.append(nodes[c].name)
            current = nodes[c].parent
        }
        return names.reversed()
    }
}
