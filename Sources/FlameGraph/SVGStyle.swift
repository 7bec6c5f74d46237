/// Sizes shared by the static SVG renderers (single-profile and differential).
public struct SVGStyle: Sendable, Equatable {
    /// Whole image width in pixels.
    public var width: Int
    /// Height of one stack row in pixels.
    public var rowHeight: Int
    /// Frame label font size in pixels.
    public var fontSize: Int
    /// Boxes narrower than this (pixels) are left out and counted as elided.
    public var minWidthPixels: Double
    /// Root at the bottom (flame) or top (icicle).
    public var orientation: FlameOrientation

    public init(width: Int = 1200, rowHeight: Int = 17, fontSize: Int = 12, minWidthPixels: Double = 0.1,
                orientation: FlameOrientation = .flame) {
        self.width = max(200, width)
        self.rowHeight = max(8, rowHeight)
        self.fontSize = max(6, fontSize)
        self.minWidthPixels = minWidthPixels
        self.orientation = orientation
    }

    static let sidePadding = 10
    static let headerHeight = 84
    static let footerHeight = 34

    var graphWidth: Double { Double(width - 2 * Self.sidePadding) }
    var minWidthFraction: Double { minWidthPixels / graphWidth }
}
