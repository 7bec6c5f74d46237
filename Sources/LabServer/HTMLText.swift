/// Escaping for text put into the UI's HTML pages.
enum HTMLText {
    /// `text` safe inside an element or a double-quoted attribute.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// A trace id or version reduced to the characters URLs and ids may carry unescaped.
    static func token(_ text: String) -> String {
        String(text.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." })
    }
}
