import Agent
import FlameGraph
import Foundation
import LabRuntime
import ProfileModel

extension MemoryScenario {
    /// Flame graphs (in-use at the alert, its growth to the second snapshot, alloc and CPU over the
    /// leak window), the two snapshots as pprof files for `pprof -diff_base`, the RSS chart with the
    /// leak and the alert marked, summary.json and report.md.
    func writeEvidence(_ context: ScenarioContext, dir: String, run: Run, findings: MemoryDrillFindings, alloc: Profile, cpu: Profile,
                       faults: Profile, peers: Result<HeaptrackPeerRun.Result, Error>?, jemalloc: Result<JemallocPeerRun.Result, Error>?,
                       cost: Result<[MemoryCostRun.Segment], Error>?) throws {
        guard let first = run.firstInuse, let second = run.secondInuse else { return }
        let svg = SVGRenderer(), html = HTMLRenderer()
        try PrivateFile.write(svg.render(profile: first, title: "in-use bytes at the alert (inuse_space)"), to: "\(dir)/inuse.svg")
        try PrivateFile.write(html.render(profile: first, title: "in-use bytes at the alert (inuse_space)"), to: "\(dir)/inuse.html")
        let grownTitle = String(format: "in-use: the snapshot %.0f s after the alert against the one at the alert", (run.timeline.secondSnapshotAt ?? 0) - (run.timeline.alertAt ?? 0))
        try PrivateFile.write(DiffRenderer().renderSVG(base: first, candidate: second, title: grownTitle), to: "\(dir)/inuse-grown.svg")
        try PrivateFile.write(DiffRenderer().renderHTML(base: first, candidate: second, title: grownTitle), to: "\(dir)/inuse-grown.html")
        try PrivateFile.write(svg.render(profile: alloc, title: "bytes allocated over the leak window (alloc_space)"), to: "\(dir)/alloc.svg")
        try PrivateFile.write(html.render(profile: alloc, title: "bytes allocated over the leak window (alloc_space)"), to: "\(dir)/alloc.html")
        try PrivateFile.write(svg.render(profile: cpu, title: "CPU over the leak window"), to: "\(dir)/cpu.svg")
        try PrivateFile.write(svg.render(profile: faults, title: "page faults over the leak window (the cheap mode)"), to: "\(dir)/faults.svg")
        try ProfileFile.write(first, to: "\(dir)/inuse-at-alert.pb.gz")
        try ProfileFile.write(second, to: "\(dir)/inuse-later.pb.gz")
        try PrivateFile.write(residentChart(run).svg(), to: "\(dir)/rss.svg")
        try PrivateFile.writeJSON(Summary(timeline: run.timeline, findings: findings, leak: run.leak.map { [$0.rememberedCarts, $0.rememberedBytes] },
                                          agent: run.recording.stats.summary), to: "\(dir)/summary.json")
        if case .success(let result) = peers { try PrivateFile.writeJSON(result, to: "\(dir)/peers.json") }
        if case .success(let result) = jemalloc { try PrivateFile.writeJSON(result, to: "\(dir)/jemalloc.json") }
        var text = report(context, run: run, findings: findings)
        peerSection(&text, context, peers, jemalloc: jemalloc)
        costSection(&text, cost, peers: peers, jemalloc: jemalloc)
        if case .success(let segments) = cost { try PrivateFile.writeJSON(segments, to: "\(dir)/cost.json") }
        try PrivateFile.write(text.text, to: "\(dir)/report.md")
    }

    struct Summary: Encodable {
        var timeline: MemoryDrillTimeline
        var findings: MemoryDrillFindings
        /// [carts, bytes] the service kept at the second snapshot.
        var leak: [Double]?
        var agent: String
    }

    /// Resident memory over the drill, with the leak and the alert as vertical marks.
    private func residentChart(_ run: Run) -> LineChart {
        let t = run.timeline
        let top = (run.residentMiB.map(\.y).max() ?? 1) * 1.05
        var series: [LineChart.Series] = [.init(label: "process_resident_memory_bytes (MiB)", color: "#1f77b4", points: run.residentMiB),
                                          .init(label: "leak on", color: "#555", dashed: true, points: [(t.leakAt, 0), (t.leakAt, top)])]
        if let alert = t.alertAt {
            series.append(.init(label: "\(MemoryAlertRules.alertName) fired", color: "#d62728", dashed: true, points: [(alert, 0), (alert, top)]))
        }
        return LineChart(title: String(format: "shop resident memory (leak at %.0f s, alert at %@ s)", t.leakAt, t.alertAt.map { String(format: "%.1f", $0) } ?? "-"),
                         xLabel: "seconds", yLabel: "MiB", series: series)
    }

    private func report(_ context: ScenarioContext, run: Run, findings f: MemoryDrillFindings) -> MarkdownReport {
        let t = run.timeline, stats = run.recording.stats
        var report = MarkdownReport(title: "The memory drill: a leak, found from its alert", machine: context.machine, command: context.command(for: name), settings: [
            ("Load", String(format: "open loop, %.0f checkouts/s; the leak (POST /admin/fault?leak=1) keeps each checkout's cart, ~120 KiB", Self.checkoutRate)),
            ("Alert", "Prometheus, \(MemoryAlertRules.path): `\(t.alertQuery ?? "deriv(process_resident_memory_bytes[20s]) > 1 MiB/s")` for 5 s"),
            ("Agent", "one recording: CPU at 99 Hz, alloc + in-use sampled at 1 per \(stats.memory?.rateBytes ?? 0) B allocated (Poisson, weighted back)"),
            ("Recorded", stats.summary),
        ])
        report.heading("Timeline")
        report.table(header: ["step", "at (s)", "since the previous step (s)"], rows: [
            ["leak switched on", String(format: "%.1f", t.leakAt), ""],
            ["\(MemoryAlertRules.alertName) fires", t.alertAt.map { String(format: "%.1f", $0) } ?? "never", t.leakToAlertSeconds.map { String(format: "%.1f", $0) } ?? "-"],
            ["in-use snapshot names the function", t.namedAt.map { String(format: "%.1f", $0) } ?? "-", t.alertToNamedSeconds.map { String(format: "%.2f", $0) } ?? "-"],
            ["second snapshot (growth)", t.secondSnapshotAt.map { String(format: "%.1f", $0) } ?? "-", ""],
        ])
        report.image("resident memory", path: "rss.svg")
        report.heading("What each profile names")
        report.paragraph(paragraph(t, f))
        report.table(header: ["profile", "top service function", "share", "file"], rows: [
            ["in-use at the alert", display(f.inuseTop), percent(f.inuseTopShare), "[inuse.html](inuse.html)"],
            ["in-use growth to the second snapshot", display(f.grownTop), String(format: "+%.1f MiB", Double(f.grownBytes) / 1_048_576), "[inuse-grown.html](inuse-grown.html)"],
            ["alloc over the leak window", display(f.allocTop), percent(f.allocTopShare), "[alloc.html](alloc.html)"],
            ["CPU over the leak window", display(f.cpuTop), "leak: " + percent(f.leakShareOfCPU), "[cpu.svg](cpu.svg)"],
            ["page faults over the leak window (\(f.faultSamples) samples)", display(f.faultsTop),
             "leak: " + percent(f.leakShareOfFaults) + ", churn: " + percent(f.churnShareOfFaults), "[faults.svg](faults.svg)"],
        ])
        report.image("in-use at the alert", path: "inuse.svg")
        report.image("in-use growth", path: "inuse-grown.svg")
        report.image("alloc over the leak window", path: "alloc.svg")
        report.paragraph("The two snapshots are pprof files too: `pprof -top -diff_base inuse-at-alert.pb.gz inuse-later.pb.gz` lists what grew.")
        return report
    }

    /// heaptrack beside flamelab: the top functions by bytes allocated under the checkout, side by side.
    private func peerSection(_ report: inout MarkdownReport, _ context: ScenarioContext, _ peers: Result<HeaptrackPeerRun.Result, Error>?,
                             jemalloc: Result<JemallocPeerRun.Result, Error>?) {
        report.heading("Against heaptrack (every allocation recorded) and jemalloc's profiler (sampled)")
        switch peers {
        case nil:
            report.paragraph("Quick runs skip the peer comparison; `lab run memory` runs it.")
        case .failure(let error):
            report.paragraph("The heaptrack comparison did not run: \(error)")
        case .success(let p):
            report.paragraph(String(format: "The same checkout load (%.0f s at %.0f/s) on two fresh shops: one under flamelab's alloc profile (%d checkouts), one under heaptrack's preload library (%d). Only allocations made by request work (under `RequestExecutor.run`, or in the embedded CPython, which only requests call) count on both sides; each goes to its leaf-most service function, or to the interpreter as one entry (flamelab's frame-pointer walk from malloc ends inside Debian's libpython, built without frame pointers, so neither side is asked which Python line called it). Per checkout flamelab estimates %.0f KiB, heaptrack counts %.0f KiB (%+.1f%%); %d of the top 5 agree.",
                                    p.loadSeconds, Self.checkoutRate, p.flamelabCheckouts, p.heaptrackCheckouts, p.flamelabBytesPerCheckout / 1024,
                                    p.heaptrackBytesPerCheckout / 1024, p.totalBytesError * 100, p.commonTop5))
            let peer = try? jemalloc?.get()
            let rows = (0..<5).map { i -> [String] in
                func cell(_ a: AllocationAttribution?) -> [String] {
                    guard let a, i < a.entries.count else { return ["", ""] }
                    return ["`\(a.entries[i].function)`", String(format: "%.1f%%", a.entries[i].bytes / max(a.totalBytes, 1) * 100)]
                }
                return ["\(i + 1)"] + cell(p.flamelab) + cell(p.heaptrack) + cell(peer?.jemalloc)
            }
            report.table(header: ["#", "flamelab (sampled)", "share", "heaptrack (every call)", "share", "jemalloc prof (sampled)", "share"], rows: rows)
            if let peer { report.paragraph(jemallocSentence(peer, heaptrack: p)) }
        }
        if case .failure(let error) = jemalloc { report.paragraph("jemalloc's profiler did not run: \(error)") }
        report.paragraph("bcc's memleak: " + (Self.memleakBlocker(kernel: context.machine.hostKernel) ?? "it could run on this machine, but the lab does not compare with it yet."))
    }

    /// How jemalloc's sampling profiler agrees, from the numbers.
    private func jemallocSentence(_ j: JemallocPeerRun.Result, heaptrack p: HeaptrackPeerRun.Result) -> String {
        let withHeaptrack = Set(j.jemalloc.top(5)).intersection(p.heaptrack.top(5)).count
        let withFlamelab = Set(j.jemalloc.top(5)).intersection(p.flamelab.top(5)).count
        return String(format: "jemalloc's profiler ran on a third shop with Debian's libjemalloc2 preloaded in place of glibc's malloc (`MALLOC_CONF=prof:true,prof_accum:true,lg_prof_sample:%d`, the same mean rate, %d checkouts, its dump read at exit and named from the maps it carries). It samples inside the allocator, so it pays no trap, but only a process started with it can be profiled, and it sees no Python frames or trace ids. Per checkout it estimates %.0f KiB (%+.1f%% against heaptrack's requested bytes). It counts jemalloc's usable sizes, a request rounded up to its size class: heaptrack's requests so rounded come to %.0f KiB per checkout, and against that jemalloc's estimate is %+.1f%%. %d of its top 5 are heaptrack's, %d flamelab's.",
                      Int(log2(Double(j.rateBytes)).rounded()), j.checkouts, j.bytesPerCheckout / 1024,
                      (j.bytesPerCheckout / p.heaptrackBytesPerCheckout - 1) * 100, (p.heaptrackJemallocBytesPerCheckout ?? .nan) / 1024,
                      (j.bytesPerCheckout / (p.heaptrackJemallocBytesPerCheckout ?? .nan) - 1) * 100, withHeaptrack, withFlamelab)
    }

    /// Why bcc's memleak cannot run here, nil when nothing stands in its way: bcc compiles its BPF C at
    /// run time against the running kernel's headers.
    static func memleakBlocker(kernel: String) -> String? {
        let fm = FileManager.default
        guard fm.fileExists(atPath: "/usr/sbin/memleak-bpfcc") else { return "not run: memleak-bpfcc is not installed (apt-get install bpfcc-tools)." }
        guard fm.fileExists(atPath: "/lib/modules/\(kernel)/build") || fm.fileExists(atPath: "/sys/kernel/kheaders.tar.xz") else {
            return "cannot run here: bcc compiles memleak's BPF C at run time against the running kernel's headers, and kernel \(kernel) has neither /lib/modules/\(kernel)/build nor CONFIG_IKHEADERS (/sys/kernel/kheaders.tar.xz). flamelab's programs are compiled once and loaded through BTF (CO-RE), so they need no headers."
        }
        return nil
    }

    /// The checkout's CPU per request with each memory profiler, against none.
    private func costSection(_ report: inout MarkdownReport, _ cost: Result<[MemoryCostRun.Segment], Error>?, peers: Result<HeaptrackPeerRun.Result, Error>?,
                             jemalloc: Result<JemallocPeerRun.Result, Error>?) {
        report.heading("What it costs the service")
        switch cost {
        case nil:
            report.paragraph("Quick runs skip the cost measurement; `lab run memory` runs it.")
        case .failure(let error):
            report.paragraph("The cost measurement did not run: \(error)")
        case .success(let segments):
            let rows = MemoryCostRun.rows(segments)
            let rounds = Set(segments.map(\.round)).count
            report.paragraph(String(format: "One shop, %.0f checkouts/s; %d rounds, each running off, alloc, in-use and faults (page faults, 1 sample per %d, no allocator probe) in a shuffled order for 6 s. The figure is the checkout's median thread CPU (Server-Timing `cpu`), which includes the uprobe traps its allocator calls take and the page-fault samples its own faults raise; the ratio is to the same round's `off`. Per allocator call (a C loop, sampled and unsampled): `docs/research/memory-call-cost/`.", Self.checkoutRate, rounds, AgentConfig.defaultFaultPeriod))
            var table = rows.map { row in
                [row.setting, String(format: "%.2f", row.cpuMsMedian),
                 row.setting == "off" ? "" : String(format: "%+.1f%% (%+.1f..%+.1f%%)", (row.ratioMedian - 1) * 100, (row.ratioMin - 1) * 100, (row.ratioMax - 1) * 100)]
            }
            if case .success(let p) = peers, let heaptrack = p.heaptrackCPUMsMedian, let off = rows.first(where: { $0.setting == "off" })?.cpuMsMedian {
                table.append(["heaptrack (its own shop, not interleaved)", String(format: "%.2f", heaptrack), String(format: "%+.0f%% against the median off", (heaptrack / off - 1) * 100)])
            }
            if case .success(let j) = jemalloc, let cpu = j.cpuMsMedian, let off = rows.first(where: { $0.setting == "off" })?.cpuMsMedian {
                table.append(["jemalloc prof (its own shop, another allocator)", String(format: "%.2f", cpu), String(format: "%+.0f%% against the median off", (cpu / off - 1) * 100)])
            }
            report.table(header: ["profiler", "checkout CPU, median ms", "against off: median of rounds (range)"], rows: table)
        }
    }

    /// The write-up, from the numbers.
    private func paragraph(_ t: MemoryDrillTimeline, _ f: MemoryDrillFindings) -> String {
        var text = String(format: "The alert fired %@ s after the leak was switched on; %.2f s later an in-use snapshot named `%@`, holding %@ of the sampled live bytes. ",
                          t.leakToAlertSeconds.map { String(format: "%.1f", $0) } ?? "(never)", t.alertToNamedSeconds ?? 0, display(t.namedFunction), percent(t.namedShare ?? 0))
        if let truth = f.leakTrueBytes, let error = f.leakEstimateError {
            text += String(format: "At the second snapshot the service held %.1f MiB in kept carts; the in-use profile estimated %.1f MiB under the leaking function (%+.1f%%). ",
                           truth / 1_048_576, Double(f.leakEstimateBytes) / 1_048_576, error * 100)
        }
        text += String(format: "The allocation profile of the same window points elsewhere: `%@` allocated %@ of the bytes and freed them all (%@ of in-use). ",
                       display(f.allocTop), percent(f.allocTopShare), percent(f.churnShareOfInuse))
        text += String(format: "The CPU profile names `%@`; the leak is %@ of its CPU: a CPU profile cannot find a leak, which is why memory needs its own profiles.",
                       display(f.cpuTop), percent(f.leakShareOfCPU))
        text += String(format: " The page-fault profile (`--kind faults`, the cheap mode: no allocator probe) puts %@ of the window's faults under the leak and %@ under the churn. A fault marks the first touch of a page, not who keeps it",
                       percent(f.leakShareOfFaults), percent(f.churnShareOfFaults))
        text += f.churnShareOfFaults > f.leakShareOfFaults
            ? ": here the leak's carts take heap the churn has freed, and the churn faults in fresh pages for its next receipt, so the growth shows under the churn. A leak's owner is the in-use profile's to name."
            : ": here the leak's own first touches dominate."
        return text
    }

    private func display(_ name: String?) -> String { name.map(FunctionName.display) ?? "nothing" }
    private func percent(_ share: Double) -> String { String(format: "%.1f%%", share * 100) }
}
