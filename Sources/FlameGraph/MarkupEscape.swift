import ProfileModel

/// Escaping for text placed in SVG/HTML (the renderers and `lab serve`'s pages) and in JSON embedded
/// in a `<script>` element.
public enum MarkupEscape {
    /// Escapes XML/HTML special characters (safe in an element or a quoted attribute) and replaces
    /// characters XML 1.0 forbids.
    public static func xml(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\n", "\t": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (scalar.value >= 0xFFFE && scalar.value <= 0xFFFF) {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// A JSON string literal that is also safe inside `<script>` (no `</script>` or `<!--` can form).
    static func jsonString(_ text: String) -> String {
        JSONStringLiteral.encode(text, scriptSafe: true)
    }
}
