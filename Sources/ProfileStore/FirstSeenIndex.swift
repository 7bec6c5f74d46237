/// Values numbered in the order they are first seen: a window's local stack, context and thread
/// tables, where a sample refers to the n-th distinct value.
struct FirstSeenIndex<Value: Hashable> {
    /// The distinct values, in first-seen order.
    private(set) var values: [Value] = []
    private var positions: [Value: Int] = [:]

    /// The position of `value`, appending it when new.
    mutating func position(of value: Value) -> Int {
        if let known = positions[value] { return known }
        values.append(value)
        positions[value] = values.count - 1
        return values.count - 1
    }
}
