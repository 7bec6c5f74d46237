import ProfileModel

/// The distinct frames of a tree (by merge key), numbered in sibling order, so the page's script can
/// sort children by frame number and get exactly the Swift side's alphabetical order.
struct FlameFrameTable {
    private(set) var frames: [Frame] = []
    private var index: [FlameFrameKey: Int] = [:]

    /// The table of every frame key in `tree` and in the extra `profileFrames`.
    init(tree: FlameTree, profileFrames: [Frame] = []) {
        var keys = Set<FlameFrameKey>()
        for node in tree.nodes.dropFirst() { keys.insert(FlameFrameKey(node.frame)) }
        for frame in profileFrames { keys.insert(FlameFrameKey(frame)) }
        frames = keys.map(\.frame).sorted(by: FlameTree.siblingOrder)
        for (i, frame) in frames.enumerated() { index[FlameFrameKey(frame)] = i }
    }

    /// The table number of `frame`'s merge key.
    func number(of frame: Frame) -> Int {
        index[FlameFrameKey(frame)] ?? -1
    }
}
