/// A small, strict JSON parser over bytes (RFC 8259), written for speedscope files: Foundation's
/// decoder took over a minute on a million-sample file. Errors name the line and column; nesting
/// is limited so hostile input cannot exhaust the stack.
struct JSONParser {
    static let maximumDepth = 256

    private let bytes: [UInt8]
    private let format: String
    private var position = 0
    private var depth = 0

    init(_ bytes: [UInt8], format: String) {
        self.bytes = bytes
        self.format = format
    }

    /// Parses one JSON document (surrounding whitespace allowed, nothing else).
    mutating func parseDocument() throws -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard position == bytes.count else { throw error("unexpected data after the JSON value") }
        return value
    }

    private func error(_ reason: String) -> ProfileParseError {
        var line = 1, lineStart = 0
        for i in 0..<min(position, bytes.count) where bytes[i] == UInt8(ascii: "\n") {
            line += 1
            lineStart = i + 1
        }
        return ProfileParseError(format: format, location: .line(line),
                                 reason: "invalid JSON at column \(position - lineStart + 1): \(reason)")
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0a, 0x0d, 0x09: position += 1
            default: return
            }
        }
    }

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func parseValue() throws -> JSONValue {
        guard let byte = peek() else { throw error("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"): return try nested { try $0.parseObject() }
        case UInt8(ascii: "["): return try nested { try $0.parseArray() }
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        default:
            guard isNumberStart(byte) else { throw error("unexpected character '\(Unicode.Scalar(byte))'") }
            return .number(try parseNumber())
        }
    }

    private mutating func nested(_ body: (inout JSONParser) throws -> JSONValue) throws -> JSONValue {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth) levels") }
        return try body(&self)
    }

    private mutating func expectLiteral(_ literal: String) throws {
        let expected = Array(literal.utf8)
        guard bytes.count - position >= expected.count else { throw error("unexpected end of input") }
        guard bytes[position..<(position + expected.count)].elementsEqual(expected) else { throw error("invalid literal") }
        position += expected.count
    }

    private mutating func parseObject() throws -> JSONValue {
        position += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { position += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw error("expected ':' after a key") }
            position += 1
            skipWhitespace()
            members[key] = try parseValue()
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return .object(members)
            case nil: throw error("unexpected end of input in an object")
            default: throw error("expected ',' or '}' in an object")
            }
        }
    }

    private mutating func parseArray() throws -> JSONValue {
        position += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "]") { position += 1; return .array([]) }
        var numbers: [Double] = []
        var values: [JSONValue] = []
        var allNumbers = true
        while true {
            skipWhitespace()
            if allNumbers, let byte = peek(), isNumberStart(byte) {
                numbers.append(try parseNumber())
            } else {
                if allNumbers {
                    allNumbers = false
                    values = numbers.map { .number($0) }
                }
                values.append(try parseValue())
            }
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return allNumbers ? .numbers(numbers) : .array(values)
            case nil: throw error("unexpected end of input in an array")
            default: throw error("expected ',' or ']' in an array")
            }
        }
    }

    private func isNumberStart(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "-") || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    /// Integers take a fast path; anything with a fraction or exponent goes through `Double(_:)`.
    private mutating func parseNumber() throws -> Double {
        let start = position
        var negative = false
        if bytes[position] == UInt8(ascii: "-") { negative = true; position += 1 }
        var integer: UInt64 = 0
        var digits = 0
        while position < bytes.count, case let d = bytes[position] &- UInt8(ascii: "0"), d < 10 {
            if digits < 18 { integer = integer * 10 + UInt64(d) }
            digits += 1
            position += 1
        }
        guard digits > 0 else { throw error("a number needs digits") }
        let isPlainInteger = position >= bytes.count || !(bytes[position] == UInt8(ascii: ".")
            || bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E"))
        if isPlainInteger && digits <= 18 {
            return negative ? -Double(integer) : Double(integer)
        }
        while position < bytes.count, isNumberByte(bytes[position]) { position += 1 }
        guard let value = Double(String(decoding: bytes[start..<position], as: UTF8.self)), value.isFinite else {
            throw error("invalid number")
        }
        return value
    }

    private func isNumberByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
    }

    private mutating func parseString() throws -> String {
        position += 1
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return String(decoding: bytes[start..<(position - 1)], as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { return try parseEscapedString(from: start) }
            guard byte >= 0x20 else { throw error("control character in a string") }
            position += 1
        }
        throw error("unterminated string")
    }

    /// The slow path, for strings with escapes.
    private mutating func parseEscapedString(from start: Int) throws -> String {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: String(decoding: bytes[start..<position], as: UTF8.self).unicodeScalars)
        var pendingUTF8: [UInt8] = []
        func flush() {
            if !pendingUTF8.isEmpty {
                scalars.append(contentsOf: String(decoding: pendingUTF8, as: UTF8.self).unicodeScalars)
                pendingUTF8.removeAll()
            }
        }
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                flush()
                return String(scalars)
            case UInt8(ascii: "\\"):
                flush()
                scalars.append(try parseEscape())
            default:
                guard byte >= 0x20 else { throw error("control character in a string") }
                pendingUTF8.append(byte)
            }
        }
        throw error("unterminated string")
    }

    private mutating func parseEscape() throws -> Unicode.Scalar {
        guard let byte = peek() else { throw error("unterminated escape") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let high = try parseHex4()
            if (0xD800..<0xDC00).contains(high), bytes.count - position >= 6,
               bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                position += 2
                let low = try parseHex4()
                if (0xDC00..<0xE000).contains(low) {
                    return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)) ?? "\u{FFFD}"
                }
                return "\u{FFFD}"
            }
            return Unicode.Scalar(high) ?? "\u{FFFD}"
        default:
            throw error("invalid escape '\\\(Unicode.Scalar(byte))'")
        }
    }

    private mutating func parseHex4() throws -> UInt32 {
        guard bytes.count - position >= 4 else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }
}
