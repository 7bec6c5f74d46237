import FlameGraph
import Foundation
import LabRuntime
import ProfileModel

/// `/flamegraph` and `/diff`: the same renderers as `lab flamegraph` / `lab diff`, with a banner that
/// names the top self function (`#top-function`) above the interactive page.
enum FlameGraphPages {
    /// The trace-filtered flame graph of `kind`, or a message page when there is nothing to draw.
    /// `seenAtUnix` is when the traces were known to have run (an alert's firing time): until a window
    /// that ended after it is in, the page waits and reloads instead of showing an empty profile.
    static func flameGraph(windows: ProfileWindows, traceIDs: [TraceID], kind: ProfileKind, seenAtUnix: Double? = nil) -> String {
        if let seen = seenAtUnix, !traceIDs.isEmpty, (windows.latestWindowEndUnix ?? 0) < seen, windows.lastError == nil {
            let wait = max(0, seen + windows.windowSeconds - Date().timeIntervalSince1970)
            let text = "Waiting for the profiling window that holds these traces: it closes within \(DrillPages.fmt(wait, 0)) s; this page reloads itself."
            return DrillPages.page(title: "Flame graph", body: DrillPages.message(text, id: "pending"), refreshSeconds: 1)
        }
        guard let merged = windows.profile(kind) else {
            let why = windows.lastError ?? "the first \(kind.rawValue) profiling window has not finished yet; retry in a few seconds"
            return DrillPages.page(title: "Flame graph", body: DrillPages.message("No profile yet: \(why)."), refreshSeconds: 2)
        }
        let filtered = traceIDs.isEmpty ? merged : ProfileFilter(traceIDs: Set(traceIDs)).apply(to: merged)
        let title = traceIDs.isEmpty ? "\(kind == .cpu ? "CPU" : "Off-CPU") of the last \(windows.windowCount) windows"
            : "\(kind == .cpu ? "CPU" : "Off-CPU") of \(traceIDs.count) trace\(traceIDs.count == 1 ? "" : "s")"
        let page = HTMLRenderer().render(profile: filtered, title: title, traceFilter: TraceIDFilter(traceIDs))
        return insertBanner(banner(filtered, traceIDs: traceIDs, kind: kind), into: page)
    }

    /// The diff page of two versions' kept windows, or a message naming what is missing.
    static func diff(windows: ProfileWindows, base: String, candidate: String, kind: ProfileKind) -> String {
        let missing: [String] = [base, candidate].filter { windows.profile(kind, version: $0) == nil }
        guard missing.isEmpty, let baseProfile = windows.profile(kind, version: base),
              let candidateProfile = windows.profile(kind, version: candidate) else {
            let have: String = windows.versions.isEmpty ? "none yet" : windows.versions.joined(separator: ", ")
            let absent: String = missing.joined(separator: " and ")
            let text = "No \(kind.rawValue) profile of version \(absent) in memory (profiled versions: \(have)). "
                + "Deploy each version on the service port while lab serve runs, e.g. lab service stop; lab service start --version v2."
            return DrillPages.page(title: "Diff \(base) -> \(candidate)", body: DrillPages.message(text))
        }
        return DiffRenderer().renderHTML(base: baseProfile, candidate: candidateProfile, title: "\(kind.rawValue): \(base) -> \(candidate)")
    }

    private static func banner(_ profile: Profile, traceIDs: [TraceID], kind: ProfileKind) -> String {
        let ids = traceIDs.map(\.hex).joined(separator: ",")
        let other: ProfileKind = kind == .cpu ? .offcpu : .cpu
        var html = "<div id=\"drill-banner\" style=\"font:14px system-ui,sans-serif;padding:8px 12px;background:#eef4ff;border-bottom:1px solid #99b\">"
            + "<a href=\"/\">SLO status</a> · <a id=\"other-kind\" href=\"/flamegraph?trace_id=\(ids)&amp;kind=\(other.rawValue)\">\(other == .cpu ? "CPU" : "off-CPU") flame graph of these traces</a><br>"
        if profile.samples.isEmpty {
            html += DrillPages.message(traceIDs.isEmpty ? "The profile has no samples yet."
                : "No \(kind.rawValue) sample carries the trace id\(traceIDs.count == 1 ? "" : "s") \(ids) in the kept profiling windows (unknown, too old, or not yet profiled).", id: "drill-message")
            html += "<div id=\"top-function\" data-function=\"\">Top self function: none (empty profile)</div>"
        } else if let hot = ProfileQueries.hottest(profile, kinds: [.app]) {
            let name = FunctionName.display(hot.name)
            html += "<div id=\"top-function\" data-function=\"\(MarkupEscape.xml(name))\" style=\"font-size:18px\">Top self function: "
                + "<b>\(MarkupEscape.xml(name))</b> (\(DrillPages.fmt(hot.share * 100, 0))% of \(profile.totalValue) \(kind.unit) "
                + "over \(profile.samples.count) samples)</div>"
        } else {
            html += "<div id=\"top-function\" data-function=\"\">Top self function: no service (app) frame in these samples</div>"
        }
        return html + "</div>"
    }

    /// Puts `banner` right after the page's `<body ...>` tag.
    private static func insertBanner(_ banner: String, into page: String) -> String {
        guard let body = page.range(of: "<body"), let close = page[body.upperBound...].firstIndex(of: ">") else { return banner + page }
        var result = page
        result.insert(contentsOf: banner, at: result.index(after: close))
        return result
    }
}
