import ProfileModel

/// What the differential renderers draw: the candidate's merged tree (widths from CAND), each
/// node's base values beside it, which nodes are new in CAND, and the call paths gone from CAND.
struct DiffFlameData {
    /// Candidate values; nodes present only in the base are not in it (they are in `gone`).
    var tree: FlameTree
    /// Per node of `tree`: the base profile's self and total value on the same call path.
    var baseSelf: [Int64]
    var baseTotal: [Int64]
    /// Per node: the call path has no base samples at all.
    var isNew: [Bool]
    var baseTotalValue: Int64
    var candidateTotalValue: Int64
    /// Call paths with base samples but none in CAND, root first, with their base total value.
    var gone: [(path: [Frame], baseTotal: Int64)]

    func baseSelfShare(_ node: Int) -> Double { share(baseSelf[node], of: baseTotalValue) }
    func candidateSelfShare(_ node: Int) -> Double { share(tree.nodes[node].selfValue, of: candidateTotalValue) }
    func baseTotalShare(_ node: Int) -> Double { share(baseTotal[node], of: baseTotalValue) }
    func candidateTotalShare(_ node: Int) -> Double { share(tree.nodes[node].totalValue, of: candidateTotalValue) }

    /// Candidate minus base self share of `node`, as a fraction.
    func selfShareChange(_ node: Int) -> Double { candidateSelfShare(node) - baseSelfShare(node) }

    /// The largest absolute self-share change over all drawn nodes: the colour scale.
    var colorScale: Double {
        tree.nodes.indices.dropFirst().map { abs(selfShareChange($0)) }.max() ?? 0
    }

    private func share(_ v: Int64, of total: Int64) -> Double { total > 0 ? Double(v) / Double(total) : 0 }
}

extension DiffFlameData {
    /// Adapts the model's `DiffTree`: the candidate's side becomes a `FlameTree` (nodes without
    /// candidate samples are left out and listed as gone), each node keeps its base values.
    init(diffTree diff: DiffTree) {
        var nodes: [FlameTree.Node] = []
        var baseSelf: [Int64] = [], baseTotal: [Int64] = [], isNew: [Bool] = []
        // Pre-order walk over nodes with candidate samples; DiffTree's children are already sorted by name.
        var work: [(diffIndex: Int, parent: Int)] = [(0, -1)]
        while let item = work.popLast() {
            let d = diff.nodes[item.diffIndex]
            let index = nodes.count
            let frame = item.diffIndex == 0 ? Frame(name: FlameTree.rootName) : Frame(name: d.name, kind: d.kind)
            nodes.append(FlameTree.Node(frame: frame, selfValue: d.candSelf, totalValue: d.candTotal, depth: d.depth,
                                        parent: item.parent, children: []))
            if item.parent >= 0 { nodes[item.parent].children.append(index) }
            baseSelf.append(d.baseSelf)
            baseTotal.append(d.baseTotal)
            isNew.append(diff.isNew(item.diffIndex))
            for child in d.children.reversed() where diff.nodes[child].candTotal > 0 {
                work.append((child, index))
            }
        }
        let gone = diff.goneNodes.map { i in
            (path: diff.path(i).map { Frame(name: $0) }, baseTotal: diff.nodes[i].baseTotal)
        }
        self.init(tree: FlameTree(preorderNodes: nodes), baseSelf: baseSelf, baseTotal: baseTotal, isNew: isNew,
                  baseTotalValue: diff.baseTotal, candidateTotalValue: diff.candTotal, gone: gone)
    }
}
