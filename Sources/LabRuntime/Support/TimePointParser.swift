import Foundation
import ProfileModel

/// Moments as people write them: ISO 8601 with a zone (`2026-12-01T21:00:00Z`), a browser's
/// `datetime-local` value (`2026-12-01T21:00`, read as UTC because every page shows UTC), or Unix
/// seconds. One parser for the CLI's `--from/--to` and `lab serve`'s range picker.
public enum TimePointParser {
    /// Unix nanoseconds, or nil when `text` is none of the accepted forms (or before 1970).
    public static func unixNs(_ text: String) -> UInt64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds >= 0, seconds.isFinite { return Nanoseconds.saturating(seconds: seconds) }
        if let date = ISO8601DateFormatter().date(from: trimmed) { return nanoseconds(date) }
        for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = format
            if let date = formatter.date(from: trimmed) { return nanoseconds(date) }
        }
        return nil
    }

    /// `unixNs` as the `datetime-local` value a browser's picker shows (UTC, minutes).
    public static func pickerValue(_ unixNs: UInt64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm"
        return formatter.string(from: Date(timeIntervalSince1970: Double(unixNs) / 1e9))
    }

    private static func nanoseconds(_ date: Date) -> UInt64? {
        date.timeIntervalSince1970 >= 0 ? Nanoseconds.saturating(seconds: date.timeIntervalSince1970) : nil
    }
}
