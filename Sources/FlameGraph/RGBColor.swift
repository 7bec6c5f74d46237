/// An sRGB colour with 8-bit channels, printed as `rgb(r,g,b)` so output is byte-for-byte stable.
public struct RGBColor: Sendable, Hashable {
    public var red: Int
    public var green: Int
    public var blue: Int

    public init(red: Int, green: Int, blue: Int) {
        self.red = min(255, max(0, red))
        self.green = min(255, max(0, green))
        self.blue = min(255, max(0, blue))
    }

    /// From hue (degrees), saturation and lightness (0...1).
    public init(hue: Double, saturation: Double, lightness: Double) {
        let c = (1 - abs(2 * lightness - 1)) * saturation
        let h = (hue.truncatingRemainder(dividingBy: 360) + 360).truncatingRemainder(dividingBy: 360) / 60
        let x = c * (1 - abs(h.truncatingRemainder(dividingBy: 2) - 1))
        let (r, g, b): (Double, Double, Double)
        switch h {
        case ..<1: (r, g, b) = (c, x, 0)
        case ..<2: (r, g, b) = (x, c, 0)
        case ..<3: (r, g, b) = (0, c, x)
        case ..<4: (r, g, b) = (0, x, c)
        case ..<5: (r, g, b) = (x, 0, c)
        default: (r, g, b) = (c, 0, x)
        }
        let m = lightness - c / 2
        self.init(red: Int(((r + m) * 255).rounded()), green: Int(((g + m) * 255).rounded()),
                  blue: Int(((b + m) * 255).rounded()))
    }

    /// Linear blend towards `other` by `t` (0...1).
    public func mixed(with other: RGBColor, _ t: Double) -> RGBColor {
        let t = min(1, max(0, t))
        func mix(_ a: Int, _ b: Int) -> Int { Int((Double(a) + (Double(b) - Double(a)) * t).rounded()) }
        return RGBColor(red: mix(red, other.red), green: mix(green, other.green), blue: mix(blue, other.blue))
    }

    /// CSS form, e.g. `rgb(240,120,40)`.
    public var css: String { "rgb(\(red),\(green),\(blue))" }
}
