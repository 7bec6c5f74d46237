import FlameGraph
import Foundation
import LabRuntime
import ProfileModel
import ProfileStore

/// `/flamegraph` and `/diff` over the store: the same renderers as `lab query` / `lab diff`, under a
/// banner with the selection picker, the selection's traces folded, and the top self function named
/// (`#top-function`).
enum FlameGraphPages {
    /// The flame graph of `selection`, or a message page when there is nothing to draw yet.
    /// `seenAtUnix` is when the traces were known to have run (an alert's firing time): until a window
    /// that ended after it is stored, the page waits and reloads instead of showing an empty profile.
    static func flameGraph(profiles: StoreProfiles, selection: PageSelection, seenAtUnix: Double? = nil) -> String {
        let summaries = (try? profiles.summaries(service: nil, range: nil)) ?? []
        let agent = profiles.agentPID
        if let seen = seenAtUnix, !selection.traceIDs.isEmpty, agent != nil,
           (summaries.map(\.lastEndUnixNs).max().map { Double($0) / 1e9 } ?? 0) < seen {
            let wait = max(0, seen + profiles.windowSeconds - Date().timeIntervalSince1970)
            let text = "Waiting for the profiling window that holds these traces: it closes within \(DrillPages.fmt(wait, 0)) s; this page reloads itself."
            return DrillPages.page(title: "Flame graph", body: DrillPages.message(text, id: "pending"), refreshSeconds: 1)
        }
        let profile: Profile
        do {
            profile = try profiles.profile(selection.storeSelection)
        } catch {
            return DrillPages.page(title: "Flame graph", body: SelectionForm.html(selection, summaries: summaries)
                + (selection.notice.map { DrillPages.message($0, id: "range-notice") } ?? "") + DrillPages.message("\(error)"))
        }
        let title = "\(kindName(selection.kind)) of \(selectionTitle(selection))"
        // The store already filtered by trace id: the renderer's own filter line would repeat every id.
        let page = HTMLRenderer().render(profile: profile, title: title)
        let banner = banner(profile, selection: selection, summaries: summaries, agentRunning: agent != nil, profiles: profiles)
        return insertBanner(banner, into: page)
    }

    /// The diff of two selections over one range (`base`/`cand`: a version, or key=value pairs).
    static func diff(profiles: StoreProfiles, selection: PageSelection, base: String, candidate: String) -> String {
        let summaries = (try? profiles.summaries(service: nil, range: nil)) ?? []
        let form = DiffForm.html(selection, base: base, candidate: candidate, summaries: summaries)
            + (selection.notice.map { DrillPages.message($0, id: "range-notice") } ?? "")
        do {
            let sides = try [base, candidate].map { try side($0, of: selection, profiles: profiles) }
            let empty = zip([base, candidate], sides).filter { $0.1.samples.isEmpty }.map { $0.0 }
            guard empty.isEmpty else {
                let have = SelectionForm.uniqueSorted(summaries.compactMap(\.version))
                let text = "No \(selection.kind.rawValue) sample of \(empty.joined(separator: " and ")) in \(selection.rangeLabel) "
                    + "(versions in the store: \(have.isEmpty ? "none yet" : have.joined(separator: ", "))). "
                    + (profiles.agentPID == nil ? profiles.noAgentHint : "Deploy each version while the agent runs, e.g. lab service stop; lab service start --version v2.")
                return DrillPages.page(title: "Diff \(base) -> \(candidate)", body: form + DrillPages.message(text))
            }
            let page = DiffRenderer().renderHTML(base: sides[0], candidate: sides[1],
                                                 title: "\(kindName(selection.kind)): \(base) -> \(candidate), \(selection.rangeLabel)")
            return insertBanner(bannerStart + "<a href=\"/\">SLO status</a>\(form)</div>", into: page)
        } catch let problem as PageProblem {
            return DrillPages.page(title: "Diff", body: form + DrillPages.message(problem.message))
        } catch {
            return DrillPages.page(title: "Diff", body: form + DrillPages.message("\(error)"))
        }
    }

    /// One diff side: `v2` means version v2; otherwise `key=value,...` as `lab diff --base` takes it
    /// (its from/to give the side its own range).
    private static func side(_ text: String, of selection: PageSelection, profiles: StoreProfiles) throws -> Profile {
        let side: StoreSelection
        do {
            side = try selection.storeSelection.overridden(by: text.contains("=") ? text : "version=\(text)", timePoint: TimePointParser.unixNs)
        } catch { throw PageProblem("\(error)") }
        return try profiles.profile(side)
    }

    private static func banner(_ profile: Profile, selection: PageSelection, summaries: [WindowSummary], agentRunning: Bool, profiles: StoreProfiles) -> String {
        let other: ProfileKind = selection.kind == .cpu ? .offcpu : .cpu
        var html = bannerStart + "<a href=\"/\">SLO status</a> · <a id=\"other-kind\" href=\"/flamegraph?\(MarkupEscape.xml(selection.queryString(kind: other)))\">\(kindName(other)) flame graph of this selection</a>"
            + " · <a id=\"refresh\" href=\"/flamegraph?\(MarkupEscape.xml(selection.queryString()))\">refresh</a>"
        html += SelectionForm.html(selection, summaries: summaries)
        if let notice = selection.notice { html += DrillPages.message(notice, id: "range-notice") }
        if !selection.traceIDs.isEmpty { html += foldedTraces(selection.traceIDs) }
        if !agentRunning { html += DrillPages.message(profiles.noAgentHint, id: "no-agent") }
        if profile.samples.isEmpty {
            let what = selection.traceIDs.isEmpty ? "No stored \(selection.kind.rawValue) sample in \(selection.rangeLabel) for this selection."
                : "No \(selection.kind.rawValue) sample carries the trace id\(selection.traceIDs.count == 1 ? "" : "s") of this selection in \(selection.rangeLabel) (unknown, too old, or not profiled)."
            html += DrillPages.message(what, id: "drill-message")
            html += "<div id=\"top-function\" data-function=\"\">Top self function: none (empty profile)</div>"
        } else if let hot = ProfileQueries.hottest(profile, kinds: [.app]) {
            let name = FunctionName.display(hot.name)
            html += "<div id=\"top-function\" data-function=\"\(MarkupEscape.xml(name))\" style=\"font-size:18px\">Top self function: "
                + "<b>\(MarkupEscape.xml(name))</b> (\(DrillPages.fmt(hot.share * 100, 0))% of \(profile.totalValue) \(selection.kind.unit) "
                + "over \(profile.samples.count) samples)</div>"
        } else {
            html += "<div id=\"top-function\" data-function=\"\">Top self function: no service (app) frame in these samples</div>"
        }
        return html + "</div>"
    }

    static let bannerStart = "<div id=\"drill-banner\" style=\"font:14px system-ui,sans-serif;padding:8px 12px;background:#eef4ff;border-bottom:1px solid #99b\">"

    /// A count with the ids folded away: a 20-trace selection stays one line.
    static func foldedTraces(_ ids: [TraceID]) -> String {
        var html = "<details id=\"traces-folded\"><summary>\(ids.count) trace\(ids.count == 1 ? "" : "s") selected</summary><ul style=\"columns:2;font-family:monospace\">"
        for id in ids { html += "<li><a href=\"/trace/\(id.hex)\">\(id.hex)</a></li>" }
        return html + "</ul></details>"
    }

    static func selectionTitle(_ selection: PageSelection) -> String {
        var parts: [String] = []
        if !selection.traceIDs.isEmpty { parts.append("\(selection.traceIDs.count) trace\(selection.traceIDs.count == 1 ? "" : "s")") }
        if let service = selection.service { parts.append(service) }
        if let version = selection.version { parts.append(version) }
        parts.append(selection.rangeLabel)
        return parts.joined(separator: ", ")
    }

    static func kindName(_ kind: ProfileKind) -> String {
        let label = ProfileCaption.kindLabel(kind)
        return label.prefix(1).uppercased() + label.dropFirst()
    }

    /// Puts `banner` right after the page's `<body ...>` tag.
    static func insertBanner(_ banner: String, into page: String) -> String {
        guard let body = page.range(of: "<body"), let close = page[body.upperBound...].firstIndex(of: ">") else { return banner + page }
        var result = page
        result.insert(contentsOf: banner, at: result.index(after: close))
        return result
    }
}
