/// Writes a string as a JSON string literal, for the codecs and renderers that build JSON by hand
/// (their output is checked byte for byte against stored expected files, so the form is fixed here).
public enum JSONStringLiteral {
    /// `text` quoted and escaped. With `scriptSafe`, `<`, `>`, `&`, U+2028 and U+2029 are escaped too,
    /// so the literal can sit inside an HTML `<script>` element (no `</script>` or `<!--` can form).
    public static func encode(_ text: String, scriptSafe: Bool = false) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "<" where scriptSafe: out += "\\u003c"
            case ">" where scriptSafe: out += "\\u003e"
            case "&" where scriptSafe: out += "\\u0026"
            case "\u{2028}" where scriptSafe: out += "\\u2028"
            case "\u{2029}" where scriptSafe: out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
