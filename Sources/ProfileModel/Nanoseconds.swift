/// Seconds as whole nanoseconds, saturating: a duration or time point typed by a person (`--last
/// 1e10h`, a picker year of 2600) must give an empty or whole range, never an integer trap.
public enum Nanoseconds {
    /// `seconds` in nanoseconds: 0 for negative or NaN, `UInt64.max` past what 64 bits hold (year 2554).
    public static func saturating(seconds: Double) -> UInt64 {
        guard seconds > 0 else { return 0 }
        let ns = seconds * 1e9
        return ns < 18_446_744_073_709_549_568 ? UInt64(ns) : .max
    }

    /// The last `seconds` up to `end` (nanoseconds): clamped at 0, never trapping, whatever was typed.
    public static func last(_ seconds: Double, endingAt end: UInt64) -> ClosedRange<UInt64> {
        (end - min(saturating(seconds: seconds), end))...end
    }
}
