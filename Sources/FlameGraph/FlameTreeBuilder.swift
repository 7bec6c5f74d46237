import ProfileModel

/// Accumulates stacks into a tree with hash-keyed children, then renumbers it in sorted pre-order.
struct FlameTreeBuilder {
    private struct Draft {
        var key: FlameFrameKey
        var selfValue: Int64 = 0
        var totalValue: Int64 = 0
        var children: [FlameFrameKey: Int] = [:]
    }

    private var drafts: [Draft] = [Draft(key: FlameFrameKey(Frame(name: FlameTree.rootName)))]

    mutating func add(stack: [Frame], value: Int64) {
        var current = 0
        drafts[0].totalValue += value
        for frame in stack {
            let key = FlameFrameKey(frame)
            let next: Int
            if let existing = drafts[current].children[key] {
                next = existing
            } else {
                next = drafts.count
                drafts.append(Draft(key: key))
                drafts[current].children[key] = next
            }
            drafts[next].totalValue += value
            current = next
        }
        drafts[current].selfValue += value
    }

    func finish() -> [FlameTree.Node] {
        var nodes: [FlameTree.Node] = []
        nodes.reserveCapacity(drafts.count)
        // Iterative pre-order walk: deep stacks must not overflow the call stack.
        var work: [(draft: Int, parent: Int, depth: Int)] = [(0, -1, 0)]
        while let item = work.popLast() {
            let draft = drafts[item.draft]
            let index = nodes.count
            let frame = item.draft == 0 ? Frame(name: FlameTree.rootName) : draft.key.frame
            nodes.append(FlameTree.Node(frame: frame, selfValue: draft.selfValue, totalValue: draft.totalValue,
                                        depth: item.depth, parent: item.parent, children: []))
            if item.parent >= 0 { nodes[item.parent].children.append(index) }
            let sorted = draft.children.sorted { FlameTree.siblingOrder($0.key.frame, $1.key.frame) }
            for child in sorted.reversed() {
                work.append((child.value, index, item.depth + 1))
            }
        }
        return nodes
    }
}
