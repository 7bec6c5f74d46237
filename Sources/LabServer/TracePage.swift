import FlameGraph
import Foundation
import LabRuntime
import ProfileModel
import ProfileStore

/// `/trace/<id>`: one trace's CPU and off-CPU from the store, its CPU/wall, its hottest functions of
/// each kind and links to both flame graphs. When an alert took the trace as an exemplar, the
/// service's own measurement (latency, thread CPU) is shown beside the profile's estimate.
enum TracePage {
    static func html(_ id: TraceID, selection: PageSelection, profiles: StoreProfiles, exemplar: PrometheusClient.Exemplar?) -> String {
        var one = selection
        one.traceIDs = [id]
        let summaries = (try? profiles.summaries(service: nil, range: nil)) ?? []
        var body = SelectionForm.html(one, summaries: summaries)
        func side(_ kind: ProfileKind) throws -> Profile {
            var selection = one.storeSelection
            selection.kind = kind
            return try profiles.profile(selection)
        }
        let cpu: Profile, offcpu: Profile
        do {
            cpu = try side(.cpu)
            offcpu = try side(.offcpu)
        } catch {
            return DrillPages.page(title: "Trace \(id.hex)", body: body + DrillPages.message("\(error)"))
        }
        if cpu.samples.isEmpty, offcpu.samples.isEmpty {
            let hint = profiles.agentPID == nil ? " " + profiles.noAgentHint : ""
            return DrillPages.page(title: "Trace \(id.hex)", body: body + DrillPages.message(
                "No stored sample carries trace id \(id.hex) in \(selection.rangeLabel) (unknown, too old, or not profiled).\(hint)", id: "trace-message"))
        }
        body += timeTable(cpu: cpu, offcpu: offcpu, exemplar: exemplar)
        body += "<p><a id=\"trace-cpu\" href=\"/flamegraph?\(MarkupEscape.xml(one.queryString(kind: .cpu)))\"><b>CPU flame graph</b></a> · "
            + "<a id=\"trace-offcpu\" href=\"/flamegraph?\(MarkupEscape.xml(one.queryString(kind: .offcpu)))\">off-CPU flame graph</a></p>"
        body += hottest(cpu, heading: "Hottest functions on CPU (self samples)") + hottest(offcpu, heading: "Where it waited (off-CPU self time)")
        return DrillPages.page(title: "Trace \(id.hex)", body: body)
    }

    /// CPU from the sample count at the profile's rate, off-CPU from the blocked time; wall is their
    /// sum (time runnable but waiting for a CPU is in neither: the service's own figure shows it).
    private static func timeTable(cpu: Profile, offcpu: Profile, exemplar: PrometheusClient.Exemplar?) -> String {
        let hz = Double(cpu.metadata.hz)
        let cpuMs = hz > 0 ? Double(cpu.samples.count) / hz * 1000 : 0
        let offMs = Double(offcpu.totalValue) / 1e6
        let share = cpuMs + offMs > 0 ? cpuMs / (cpuMs + offMs) : 0
        var html = "<table id=\"trace-times\"><tr><th></th><th>CPU</th><th>off-CPU</th><th>CPU/wall</th></tr>"
        html += "<tr><td>profile</td><td>\(DrillPages.fmt(cpuMs, 1)) ms (\(cpu.samples.count) samples\(hz > 0 ? " at \(Int(hz)) Hz" : ""))</td>"
            + "<td>\(DrillPages.fmt(offMs, 1)) ms</td><td id=\"trace-cpu-wall\">\(DrillPages.fmt(share * 100, 0))%</td></tr>"
        if let exemplar {
            html += "<tr><td>service (thread clock)</td><td>\(exemplar.cpuSeconds.map { DrillPages.fmt($0 * 1000, 1) + " ms" } ?? "-")</td>"
                + "<td>latency \(DrillPages.fmt(exemplar.latencySeconds * 1000, 1)) ms</td><td>\(DrillPages.fmt(exemplar.cpuPerWall * 100, 0))%</td></tr>"
        }
        return html + "</table>"
    }

    private static func hottest(_ profile: Profile, heading: String) -> String {
        let ranked = ProfileQueries.attributed(profile, kinds: [.app, .python]).prefix(5)
        guard !ranked.isEmpty else { return "" }
        let total = Double(max(1, profile.totalValue))
        var html = "<h2>\(MarkupEscape.xml(heading))</h2><ol>"
        for entry in ranked {
            html += "<li>\(MarkupEscape.xml(FunctionName.display(entry.name))): \(DrillPages.fmt(Double(entry.value) / total * 100, 0))%</li>"
        }
        return html + "</ol>"
    }
}
