/// A minimal, deterministic JSON text builder for the data embedded in HTML pages.
///
/// Keys come out in the order they are written and numbers in fixed formats, so the pages can be
/// checked against stored expected files.
struct JSONWriter {
    private(set) var text = "{"
    private var needsComma = false

    private mutating func key(_ name: String) {
        if needsComma { text += "," }
        needsComma = true
        text += MarkupEscape.jsonString(name) + ":"
    }

    mutating func string(_ name: String, _ value: String) {
        key(name)
        text += MarkupEscape.jsonString(value)
    }

    mutating func int(_ name: String, _ value: Int64) {
        key(name)
        text += String(value)
    }

    mutating func ints(_ name: String, _ values: [Int64]) {
        key(name)
        text += "[" + values.map { String($0) }.joined(separator: ",") + "]"
    }

    mutating func strings(_ name: String, _ values: [String]) {
        key(name)
        text += "[" + values.map(MarkupEscape.jsonString).joined(separator: ",") + "]"
    }

    mutating func intArrays(_ name: String, _ values: [[Int64]]) {
        key(name)
        text += "[" + values.map { "[" + $0.map { String($0) }.joined(separator: ",") + "]" }.joined(separator: ",") + "]"
    }

    /// A value already serialised as JSON.
    mutating func raw(_ name: String, _ json: String) {
        key(name)
        text += json
    }

    /// The finished object.
    var result: String { text + "}" }
}
