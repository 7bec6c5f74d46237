/// A parsed JSON value. Arrays made only of numbers are kept as `numbers` (one flat buffer), which
/// is what keeps a speedscope file of a million stacks cheap to read.
enum JSONValue {
    case object([String: JSONValue])
    case array([JSONValue])
    case numbers([Double])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    /// A short name of the value's type, for error messages.
    var typeName: String {
        switch self {
        case .object: return "an object"
        case .array, .numbers: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }

    /// The value as an array of numbers, when it is one (an empty array counts).
    var numberArray: [Double]? {
        switch self {
        case .numbers(let values): return values
        case .array(let values) where values.isEmpty: return []
        default: return nil
        }
    }
}
