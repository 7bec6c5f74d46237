/// How well a set of stacks is symbolized, per class of frame: the figures of the lab's
/// symbolization report. Pure: computed from frames only.
public struct SymbolizationQuality: Sendable, Equatable {
    /// Function names that mark the outermost frame of a complete user stack.
    public static let rootFrameNames: Set<String> = [
        "_start", "start_thread", "clone3", "clone", "__clone", "__clone3", "__libc_start_call_main", "__libc_start_main",
    ]

    /// Figures for one `FrameKind`.
    public struct ClassFigures: Sendable, Equatable {
        /// Frames of this kind.
        public var frames = 0
        /// Of which carry a real name (not `[unknown]`, not `module+0xOFFSET`).
        public var namedFrames = 0
        /// Of which are `[unknown]`.
        public var unknownFrames = 0
        /// Stacks holding at least one frame of this kind.
        public var stacks = 0
        /// Of which reach a root frame.
        public var stacksReachingRoot = 0

        /// Percentage of frames named (0 when there are none).
        public var namedPercent: Double { SymbolizationQuality.percent(namedFrames, of: frames) }
        /// Percentage of this class's stacks that reach a root frame.
        public var rootReachedPercent: Double { SymbolizationQuality.percent(stacksReachingRoot, of: stacks) }
    }

    /// The order frames are listed in.
    public enum StackOrder: Sendable {
        /// `Profile` convention: outermost caller first.
        case rootFirst
        /// Unwinder convention: innermost frame first.
        case leafFirst
    }

    /// Per frame kind.
    public var byKind: [FrameKind: ClassFigures]
    /// All frames together.
    public var total: ClassFigures
    /// Stacks with at least one user-space frame (only those can reach a user root).
    public var userStacks: Int
    /// Of which end in a root frame.
    public var userStacksReachingRoot: Int

    /// Measures `stacks`, each weighted by its sample count when `weights` is given (same length).
    public init(stacks: [[Frame]], order: StackOrder = .rootFirst, weights: [Int]? = nil) {
        var byKind: [FrameKind: ClassFigures] = [:]
        var total = ClassFigures()
        var userStacks = 0
        var userStacksReachingRoot = 0
        for (index, stack) in stacks.enumerated() {
            let weight = weights.map { index < $0.count ? $0[index] : 1 } ?? 1
            let reachesRoot = SymbolizationQuality.reachesRoot(stack, order: order)
            if stack.contains(where: { $0.kind != .kernel }) {
                userStacks += weight
                if reachesRoot { userStacksReachingRoot += weight }
            }
            var kindsInStack = Set<FrameKind>()
            for frame in stack {
                kindsInStack.insert(frame.kind)
                SymbolizationQuality.count(frame, weight: weight, into: &byKind[frame.kind, default: ClassFigures()])
                SymbolizationQuality.count(frame, weight: weight, into: &total)
            }
            for kind in kindsInStack {
                byKind[kind, default: ClassFigures()].stacks += weight
                if reachesRoot { byKind[kind, default: ClassFigures()].stacksReachingRoot += weight }
            }
            total.stacks += weight
            if reachesRoot { total.stacksReachingRoot += weight }
        }
        self.byKind = byKind
        self.total = total
        self.userStacks = userStacks
        self.userStacksReachingRoot = userStacksReachingRoot
    }

    /// Whether a frame carries a real name (`Frame.isNamed`).
    public static func isNamed(_ frame: Frame) -> Bool { frame.isNamed }

    /// Whether the stack's outermost user-space frame is a root frame (kernel frames are skipped:
    /// they sit at the leaf end of a user stack).
    public static func reachesRoot(_ stack: [Frame], order: StackOrder = .rootFirst) -> Bool {
        let outermostFirst = order == .rootFirst ? stack : stack.reversed()
        guard let outermost = outermostFirst.first(where: { $0.kind != .kernel }) else { return false }
        return rootFrameNames.contains(outermost.name)
    }

    private static func count(_ frame: Frame, weight: Int, into figures: inout ClassFigures) {
        figures.frames += weight
        if isNamed(frame) { figures.namedFrames += weight }
        if frame.isPlaceholder { figures.unknownFrames += weight }
    }

    static func percent(_ part: Int, of whole: Int) -> Double {
        whole == 0 ? 0 : Double(part) * 100 / Double(whole)
    }
}
