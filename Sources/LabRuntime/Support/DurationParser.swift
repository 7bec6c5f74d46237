/// Parses durations such as `500ms`, `30s`, `5m`, `1h` (a bare number means seconds).
public enum DurationParser {
    /// Seconds, or nil when `text` is not a positive duration.
    public static func seconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            if let value = Double(number), value > 0, value.isFinite { return value * scale }
            return nil
        }
        if let value = Double(text), value > 0, value.isFinite { return value }
        return nil
    }
}
