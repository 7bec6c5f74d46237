/// Tokens the UI's pages put into URLs and ids (text itself goes through `MarkupEscape.xml`).
enum HTMLText {
    /// A trace id or version reduced to the characters URLs and ids may carry unescaped.
    static func token(_ text: String) -> String {
        String(text.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." })
    }
}
