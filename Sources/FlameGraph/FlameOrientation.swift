/// Which way up a flame graph is drawn.
public enum FlameOrientation: String, Sendable, CaseIterable {
    /// Root at the bottom, stacks growing upwards (Brendan Gregg's flame graph).
    case flame
    /// Root at the top, stacks growing downwards.
    case icicle
}
