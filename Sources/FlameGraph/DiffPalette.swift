/// Colours of the differential flame graph: red = the frame's self share grew, blue = it shrank,
/// intensity proportional to the size of the change, grey = unchanged.
public enum DiffPalette {
    /// No change.
    public static let neutral = RGBColor(red: 226, green: 226, blue: 230)
    /// The strongest growth.
    public static let grew = RGBColor(red: 220, green: 45, blue: 40)
    /// The strongest shrink.
    public static let shrank = RGBColor(red: 40, green: 100, blue: 215)
    /// Changes at least this large (in share, 0.01 = one percentage point) set the scale's floor, so
    /// a diff of pure noise is not painted at full intensity.
    public static let minimumScale = 0.01

    /// The colour for a self-share change `delta` (candidate minus base, as a fraction) when the
    /// largest change in the graph is `scale`.
    public static func color(delta: Double, scale: Double) -> RGBColor {
        let t = intensity(delta: delta, scale: scale)
        return delta >= 0 ? neutral.mixed(with: grew, t) : neutral.mixed(with: shrank, t)
    }

    /// 0...1: `|delta|` over the scale (never below `minimumScale`).
    public static func intensity(delta: Double, scale: Double) -> Double {
        min(1, abs(delta) / max(scale, minimumScale))
    }

    /// Whether a label on this colour should be white to stay readable.
    public static func needsLightText(delta: Double, scale: Double) -> Bool {
        intensity(delta: delta, scale: scale) > 0.62
    }
}
