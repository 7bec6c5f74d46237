/// Fits a frame name into a box: how many characters a width holds and how the name is cut.
enum FrameLabel {
    /// Average glyph width as a fraction of the font size (Verdana/DejaVu Sans, as FlameGraph assumes).
    static let glyphWidth = 0.59

    /// `name` cut to fit `pixels` at `fontSize`, ending in `..` when cut; empty when fewer than 3 characters fit.
    static func fit(_ name: String, pixels: Double, fontSize: Double) -> String {
        let capacity = Int((pixels - 6) / (fontSize * glyphWidth))
        guard capacity >= 3 else { return "" }
        guard name.count > capacity else { return name }
        return String(name.prefix(capacity - 2)) + ".."
    }
}
