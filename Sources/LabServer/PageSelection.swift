import Foundation
import Hummingbird
import LabRuntime
import ProfileModel
import ProfileStore

/// What a page shows, read from its query string: a time range (`last=15m`, the default, or
/// custom `from`/`to` as ISO 8601, a browser's datetime-local value or Unix seconds), service, version,
/// kind and trace ids (comma-separated, or repeated as the alert page's checkboxes send them).
struct PageSelection: Sendable, Equatable {
    /// The range picker's choices.
    static let presets = ["5m", "15m", "1h", "6h", "24h"]
    static let defaultLast = "15m"

    /// The preset or duration the range was given as; nil for a custom `from`/`to` range.
    var last: String?
    var fromUnixNs: UInt64
    var toUnixNs: UInt64
    var service: String?
    var version: String?
    var kind: ProfileKind = .cpu
    var traceIDs: [TraceID] = []
    /// Why the range asked for was not used (it started after its end, or in the future): pages show
    /// the default range with this sentence above the picker, never an error page.
    var notice: String?

    /// A request's selection, or a sentence naming what is wrong with it.
    static func parse(_ query: Parameters, nowUnixNs: UInt64) -> Result<PageSelection, PageProblem> {
        guard let kind = ProfileKind(rawValue: query.get("kind") ?? "cpu") else {
            return .failure(PageProblem("kind must be one of \(ProfileKind.allCases.map(\.rawValue).joined(separator: ", "))."))
        }
        let words = query[values: "trace_id"].flatMap { $0.split(whereSeparator: { ", +".contains($0) }) }
        if let bad = words.first(where: { TraceID(hex: $0) == nil }) {
            return .failure(PageProblem("trace_id must be 32 hex digits (comma-separated for several); got \"\(bad.prefix(64))\"."))
        }
        var ids: [TraceID] = []
        for id in words.compactMap({ TraceID(hex: $0) }) where !ids.contains(id) { ids.append(id) }
        let range: (last: String?, from: UInt64, to: UInt64)
        var notice: String?
        switch Self.range(query, nowUnixNs: nowUnixNs) {
        case .success(let parsed): range = parsed
        case .failure(let problem):
            let fallback = Nanoseconds.last(DurationParser.seconds(defaultLast) ?? 900, endingAt: nowUnixNs)
            range = (defaultLast, fallback.lowerBound, fallback.upperBound)
            notice = problem.message + " Showing the last \(defaultLast) instead."
        }
        return .success(PageSelection(last: range.last, fromUnixNs: range.from, toUnixNs: range.to, service: nonEmpty(query.get("service")),
                                      version: nonEmpty(query.get("version")), kind: kind, traceIDs: ids, notice: notice))
    }

    private static func range(_ query: Parameters, nowUnixNs: UInt64) -> Result<(last: String?, from: UInt64, to: UInt64), PageProblem> {
        // A chosen preset wins over from/to: the picker keeps both inputs, the preset is the choice.
        let fromText = nonEmpty(query.get("from")), toText = nonEmpty(query.get("to")), lastText = nonEmpty(query.get("last"))
        if lastText != nil || (fromText == nil && toText == nil) {
            let last = lastText ?? defaultLast
            guard let seconds = DurationParser.seconds(last) else {
                return .failure(PageProblem("last must be a duration such as 5m, 15m, 1h; got \"\(last.prefix(32))\"."))
            }
            let range = Nanoseconds.last(seconds, endingAt: nowUnixNs)
            return .success((last, range.lowerBound, range.upperBound))
        }
        var from: UInt64 = 0, to = nowUnixNs
        if let fromText {
            guard let parsed = TimePointParser.unixNs(fromText) else {
                return .failure(PageProblem("from must be a time such as 2026-12-01T21:00:00Z or Unix seconds; got \"\(fromText.prefix(40))\"."))
            }
            from = parsed
        }
        if let toText {
            guard let parsed = TimePointParser.unixNs(toText) else {
                return .failure(PageProblem("to must be a time such as 2026-12-01T21:10:00Z or Unix seconds; got \"\(toText.prefix(40))\"."))
            }
            to = parsed
        }
        if from > nowUnixNs { return .failure(PageProblem("The range starts in the future (\(Self.clock(from)), now is \(Self.clock(nowUnixNs))): nothing was profiled there yet.")) }
        if from > to { return .failure(PageProblem("The range starts after it ends (from \(Self.clock(from)) > to \(Self.clock(to))): pick a start before the end.")) }
        return .success((nil, from, to))
    }

    /// The store's selection for this page.
    var storeSelection: StoreSelection {
        StoreSelection(fromUnixNs: fromUnixNs, toUnixNs: toUnixNs, service: service, version: version, kind: kind, traceIDs: traceIDs)
    }

    /// The query string that gives this selection back (of `other` kind when given), for links.
    func queryString(kind other: ProfileKind? = nil) -> String {
        var items: [String] = []
        if let last { items.append("last=\(Self.escape(last))") } else { items += ["from=\(fromUnixNs / 1_000_000_000)", "to=\(toUnixNs / 1_000_000_000)"] }
        if let service { items.append("service=\(Self.escape(service))") }
        if let version { items.append("version=\(Self.escape(version))") }
        items.append("kind=\((other ?? kind).rawValue)")
        if !traceIDs.isEmpty { items.append("trace_id=" + traceIDs.map(\.hex).joined(separator: ",")) }
        return items.joined(separator: "&")
    }

    /// "the last 15m" or "12:00:00–12:10:00 UTC".
    var rangeLabel: String {
        if let last { return "the last \(last)" }
        return "\(Self.clock(fromUnixNs))–\(Self.clock(toUnixNs))"
    }

    static func clock(_ unixNs: UInt64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: Double(unixNs) / 1e9)) + " UTC"
    }

    static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return text.trimmingCharacters(in: .whitespaces)
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}

/// Why a page's request can't be answered, as a sentence for the page (shown with 400).
struct PageProblem: Error, Equatable, Sendable {
    let message: String
    init(_ message: String) { self.message = message }
}
