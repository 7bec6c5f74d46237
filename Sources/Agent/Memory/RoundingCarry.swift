/// Turns fractional amounts into integers whose running sum stays within 0.5 of the exact sum:
/// each `add` returns the rounded total so far minus what was already handed out.
struct RoundingCarry {
    private var total = 0.0
    private var emitted: Int64 = 0

    mutating func add(_ amount: Double) -> Int64 {
        total += amount
        let target = Int64(total.rounded())
        defer { emitted = target }
        return target - emitted
    }
}
