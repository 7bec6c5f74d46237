import ProfileModel
import FlameGraph
import Foundation
import LabRuntime
import ProfileStore

/// The UI's own small pages (status, alert, messages): plain HTML, inline CSS, no script, no network.
enum DrillPages {
    static let style = """
    body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse}
    td,th{border:1px solid #ccc;padding:4px 10px;text-align:left}.firing{color:#b00;font-weight:bold}
    .ok{color:#070}.message{background:#fff4ce;border:1px solid #e0c060;padding:8px 12px;margin:10px 0}
    code{background:#f3f3f3;padding:1px 4px}
    """

    static func page(title: String, body: String, refreshSeconds: Int? = nil) -> String {
        let refresh = refreshSeconds.map { "<meta http-equiv=\"refresh\" content=\"\($0)\">" } ?? ""
        return """
        <!DOCTYPE html><html lang="en"><head><meta charset="utf-8">\(refresh)<title>\(MarkupEscape.xml(title))</title>
        <style>\(style)</style></head><body><p><a href="/">SLO status</a></p><h1>\(MarkupEscape.xml(title))</h1>
        \(body)</body></html>
        """
    }

    static func message(_ text: String, id: String = "message") -> String {
        "<div class=\"message\" id=\"\(id)\">\(MarkupEscape.xml(text))</div>"
    }

    /// `/`: burn rate per alert window, firing alerts, links to each alert's traces.
    static func status(_ snapshot: SLOWatcher.Snapshot, slo: SLODefinition, profiling: String) -> String {
        let timeScale = CheckoutSLORules.timeScale
        // The page refreshes itself while calm; the profiling section is raw HTML (built by `profilingSection`).
        var body = "<p>SLO <b>\(MarkupEscape.xml(slo.name))</b>: \(fmt(slo.objective * 100, 2))% of <code>\(MarkupEscape.xml(slo.route))</code> "
            + "under \(Int(slo.latencyThresholdSeconds * 1000)) ms. Prometheus evaluates its burn-rate rules (<code>\(CheckoutSLORules.path)</code>), windows scaled \(fmt(timeScale, 0)):1 (lab time).</p>"
        if let error = snapshot.lastError { body += message(error) }
        body += "<table id=\"windows\"><tr><th>alert</th><th>long window</th><th>burn (long)</th><th>short window</th><th>burn (short)</th><th>threshold</th><th>state</th></tr>"
        for window in snapshot.windows {
            let state = window.firing ? "<span class=\"firing\">FIRING</span>" : window.state == "pending" ? "pending" : "<span class=\"ok\">ok</span>"
            body += "<tr><td>\(MarkupEscape.xml(window.alert.severity))</td><td>\(span(window.alert.longWindowSeconds, timeScale))</td>"
                + "<td class=\"burn-long\">\(window.longBurnRate.map { fmt($0, 2) } ?? "no data")</td><td>\(span(window.alert.shortWindowSeconds, timeScale))</td>"
                + "<td class=\"burn-short\">\(window.shortBurnRate.map { fmt($0, 2) } ?? "no data")</td><td>\(fmt(window.alert.burnRate, 1))</td><td>\(state)</td></tr>"
        }
        body += "</table><h2>Alerts</h2>"
        if snapshot.alerts.isEmpty {
            body += "<p id=\"no-alerts\">No alert has fired (\(snapshot.polls) polls of Prometheus). This page refreshes every second.</p>"
        } else {
            body += "<ul id=\"alerts\">"
            for alert in snapshot.alerts.reversed() {
                let state = alert.active ? "<span class=\"firing\">firing</span>" : "resolved"
                body += "<li>\(state) <a class=\"alert-link\" id=\"alert-\(alert.id)\" href=\"/alerts/\(alert.id)\">alert #\(alert.id): "
                    + "\(MarkupEscape.xml(alert.severity)), burn \(fmt(alert.longBurnRate, 1)) (long) / \(fmt(alert.shortBurnRate, 1)) (short)</a>"
                    + " at \(clock(alert.firedAtUnix)), \(alert.exemplarTraceIDs.count) slow traces</li>"
            }
            body += "</ul>"
        }
        body += profiling
        let refresh = snapshot.alerts.contains(where: \.active) ? nil : 1
        return page(title: "flamelab drill: \(slo.name)", body: body, refreshSeconds: refresh)
    }

    /// `/alerts/<id>`: the alert's slow exemplar requests, slowest first, with latency, route, version
    /// and CPU/wall; checkboxes pick a subset for the flame graph (all are picked at first).
    static func alert(_ alert: FiredAlert) -> String {
        var body = "<p>\(MarkupEscape.xml(alert.severity)) fired at \(clock(alert.firedAtUnix)): burn rate \(fmt(alert.longBurnRate, 1)) (long window), "
            + "\(fmt(alert.shortBurnRate, 1)) (short window)\(alert.active ? ", still firing" : ", resolved").</p>"
        if let error = alert.exemplarError { body += message(error) }
        guard !alert.exemplarTraceIDs.isEmpty else {
            return page(title: "Alert #\(alert.id)", body: body + message("Prometheus held no exemplar slower than the SLO's threshold for this alert's window."))
        }
        // `seen` lets the flame graph wait for the window that holds the exemplars instead of showing it empty.
        let seen = "&amp;seen=\(Int(alert.firedAtUnix.rounded(.up)))"
        let range = "last=1h"
        let all = alert.exemplarTraceIDs.map(\.hex).joined(separator: ",")
        body += "<p><a id=\"all-traces-cpu\" href=\"/flamegraph?\(range)&amp;trace_id=\(all)&amp;kind=cpu\(seen)\"><b>CPU flame graph of all \(alert.exemplarTraceIDs.count) slow traces</b></a>"
            + " · <a id=\"all-traces-offcpu\" href=\"/flamegraph?\(range)&amp;trace_id=\(all)&amp;kind=offcpu\(seen)\">off-CPU flame graph</a></p>"
        body += "<h2>Slow exemplar requests (slowest first)</h2><form id=\"pick-traces\" method=\"get\" action=\"/flamegraph\">"
            + "<input type=\"hidden\" name=\"last\" value=\"1h\"><input type=\"hidden\" name=\"seen\" value=\"\(Int(alert.firedAtUnix.rounded(.up)))\">"
            + "<table id=\"traces\"><tr><th>pick</th><th>trace id</th><th>latency</th><th>route</th><th>version</th><th>CPU/wall</th><th></th></tr>"
        for exemplar in alert.exemplars {
            let id = exemplar.traceID.hex
            body += "<tr class=\"exemplar\"><td><input type=\"checkbox\" class=\"pick\" name=\"trace_id\" value=\"\(id)\" checked></td>"
                + "<td><a class=\"trace-link\" href=\"/trace/\(id)?last=1h\"><code>\(id)</code></a></td>"
                + "<td class=\"latency\">\(fmt(exemplar.latencySeconds * 1000, 1)) ms</td><td>\(MarkupEscape.xml(exemplar.route ?? "?"))</td>"
                + "<td class=\"version\">\(MarkupEscape.xml(exemplar.version ?? "?"))</td><td class=\"cpu-wall\">\(fmt(exemplar.cpuPerWall * 100, 0))%</td>"
                + "<td><a href=\"/flamegraph?\(range)&amp;trace_id=\(id)&amp;kind=offcpu\(seen)\">off-CPU</a></td></tr>"
        }
        body += "</table><p><label>Kind <select name=\"kind\"><option value=\"cpu\">CPU</option><option value=\"offcpu\">off-CPU</option></select></label> "
            + "<button id=\"picked-flamegraph\" type=\"submit\">Flame graph of the picked traces</button></p></form>"
        return page(title: "Alert #\(alert.id)", body: body)
    }

    /// The status page's profiling section: who writes the store, what it holds, the picker.
    static func profilingSection(_ profiles: StoreProfiles, nowUnixNs: UInt64) -> String {
        var html = "<h2>Profiles</h2>"
        let summaries: [WindowSummary]
        do { summaries = try profiles.summaries(service: nil, range: nil) } catch { return html + message("\(error)") }
        if let pid = profiles.agentPID {
            html += "<p id=\"agent\">lab agent (pid \(pid)) writes to <code>\(MarkupEscape.xml(profiles.storePath))</code>.</p>"
        } else {
            html += message(profiles.noAgentHint, id: "no-agent")
        }
        let fifteenMinutes = Nanoseconds.last(900, endingAt: nowUnixNs)
        let selection = PageSelection(last: PageSelection.defaultLast, fromUnixNs: fifteenMinutes.lowerBound, toUnixNs: fifteenMinutes.upperBound)
        // The picker lives on the flame graph page: this one reloads itself every second.
        html += "<p><a id=\"explore\" href=\"/flamegraph?last=15m&amp;kind=cpu\">Explore the profiles: time range, service, version, trace search</a></p>"
        guard !summaries.isEmpty else { return html + "<p id=\"no-windows\">The store holds no window yet.</p>" }
        html += "<table id=\"versions\"><tr><th>service</th><th>version</th><th>kind</th><th>windows</th><th>samples</th><th>from</th><th>to</th><th></th></tr>"
        for row in summaries {
            var one = selection
            one.service = row.service
            one.version = row.version
            one.kind = row.kind
            html += "<tr><td>\(MarkupEscape.xml(row.service ?? "-"))</td><td>\(MarkupEscape.xml(row.version ?? "-"))</td><td>\(row.kind.rawValue)</td>"
                + "<td>\(row.windows)</td><td>\(row.samples)</td><td>\(PageSelection.clock(row.firstStartUnixNs))</td><td>\(PageSelection.clock(row.lastEndUnixNs))</td>"
                + "<td><a class=\"version-link\" href=\"/flamegraph?\(MarkupEscape.xml(one.queryString()))\">last 15m</a></td></tr>"
        }
        html += "</table>"
        // The two versions seen last (the deploy), as the store canary picks them: not by name, where v10 < v9.
        if let plan = try? StoreCanary.plan(summaries, service: nil, candidate: nil, baseline: nil, seconds: 3_600) {
            let base = plan.baseline.version, candidate = plan.candidate.version
            html += "<p><a id=\"diff-link\" href=\"/diff?base=\(PageSelection.escape(base))&amp;cand=\(PageSelection.escape(candidate))&amp;last=1h&amp;kind=cpu\">Diff \(MarkupEscape.xml(base)) → \(MarkupEscape.xml(candidate)) (last 1h, CPU)</a></p>"
        }
        return html
    }

    private static func span(_ windowSeconds: Double, _ scale: Double) -> String {
        "\(fmt(windowSeconds / 60, 0)) min (\(fmt(windowSeconds / scale, 1)) s)"
    }

    static func fmt(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

    private static func clock(_ unix: Double) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: unix)) + " UTC"
    }
}
