import ProfileModel

/// Locale-free number and time formatting, so renderer output is identical on every machine.
public enum NumberFormat {
    /// `x` with exactly `decimals` digits after the point (half away from zero), e.g. `12.35`.
    public static func fixed(_ x: Double, _ decimals: Int) -> String {
        guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(x) * scale).rounded()
        guard scaled < 9.0e18 else { return String(x) }
        let units = Int64(scaled)
        let whole = units / Int64(scale)
        let sign = x < 0 && units != 0 ? "-" : ""
        guard decimals > 0 else { return sign + String(whole) }
        let fraction = String(units % Int64(scale))
        return sign + String(whole) + "." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }

    /// An integer with thousands separators: `12,345`.
    public static func grouped(_ n: Int64) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// `part` as a percentage of `total` with two decimals, e.g. `12.34%` (`0.00%` when total is 0).
    public static func percent(_ part: Int64, of total: Int64) -> String {
        total > 0 ? fixed(Double(part) * 100 / Double(total), 2) + "%" : "0.00%"
    }

    /// A sample value in its unit: `1,234 samples`, `12.35 ms` for off-CPU nanoseconds, `1.50 MiB`,
    /// `1,234 allocations`.
    public static func value(_ v: Int64, unit: SampleValueUnit) -> String {
        switch unit {
        case .samples: return grouped(v) + (v == 1 ? " sample" : " samples")
        case .nanoseconds: return fixed(Double(v) / 1_000_000, 2) + " ms"
        case .bytes: return bytes(v)
        case .allocations: return grouped(v) + (v == 1 ? " allocation" : " allocations")
        case .faults: return grouped(v) + (v == 1 ? " page fault" : " page faults")
        }
    }

    /// Bytes in binary units with two decimals: `512 B`, `1.50 KiB`, `12.35 MiB`.
    public static func bytes(_ v: Int64) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB"]
        guard abs(v) >= 1024 else { return "\(v) B" }
        var scaled = Double(v) / 1024
        var unit = 0
        while abs(scaled) >= 1024 && unit < units.count - 1 {
            scaled /= 1024
            unit += 1
        }
        return fixed(scaled, 2) + " " + units[unit]
    }

    /// A Unix time in nanoseconds as `2026-11-25 13:05:00 UTC`.
    public static func utc(unixNs: UInt64) -> String {
        let seconds = Int64(unixNs / 1_000_000_000)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (y, m, d) = civilDate(daysSinceEpoch: days)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d)) \(two(secondOfDay / 3600)):\(two(secondOfDay % 3600 / 60)):\(two(secondOfDay % 60)) UTC"
    }

    /// Proleptic Gregorian date of a day count since 1970-01-01 (the civil-from-days algorithm).
    static func civilDate(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
