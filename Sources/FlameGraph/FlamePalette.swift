import ProfileModel

/// Frame colours for single-profile flame graphs: a hue family per `FrameKindGroup`, varied per
/// function name by a stable hash so neighbouring boxes stay distinguishable and every run of the
/// renderer gives the same colours (Swift's `Hasher` is seeded per process, so it is not used).
public enum FlamePalette {
    /// Highlight for search matches.
    public static let highlight = RGBColor(red: 230, green: 70, blue: 230)

    /// The colour of a box for `frame`.
    public static func color(for frame: Frame) -> RGBColor {
        let v = Double(stableHash(frame.name) % 1000) / 1000
        switch FrameKindGroup(frame.kind) {
        case .app: return RGBColor(hue: 8 + 22 * v, saturation: 0.85, lightness: 0.62 + 0.06 * v)
        case .runtime: return RGBColor(hue: 44 + 12 * v, saturation: 0.75, lightness: 0.58 + 0.08 * v)
        case .python: return RGBColor(hue: 196 + 20 * v, saturation: 0.65, lightness: 0.62 + 0.08 * v)
        case .kernel: return RGBColor(hue: 95 + 35 * v, saturation: 0.45, lightness: 0.55 + 0.08 * v)
        case .unknown: return RGBColor(hue: 0, saturation: 0, lightness: 0.68 + 0.08 * v)
        }
    }

    /// The colour a legend shows for a group (its middle shade).
    public static func legendColor(for group: FrameKindGroup) -> RGBColor {
        let kind: FrameKind
        switch group {
        case .app: kind = .app
        case .runtime: kind = .swiftRuntime
        case .python: kind = .python
        case .kernel: kind = .kernel
        case .unknown: kind = .unknown
        }
        return color(for: Frame(name: "", kind: kind))
    }

    /// The root box's colour (neutral: it is every sample).
    public static let root = RGBColor(red: 205, green: 205, blue: 212)

    /// FNV-1a over the UTF-8 bytes: stable across runs and platforms.
    static func stableHash(_ text: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return hash
    }
}
