import FlameGraph
import Foundation
import LabRuntime
import ProfileModel
import ProfileStore

/// `drill`: the brief's "SLO to flame graph in under 30 seconds", on the parts SREs run. Steady load,
/// flip the fault switch; Prometheus scrapes the shop, its multiwindow burn-rate rule fires; its
/// exemplar API gives the slow requests' trace ids; they filter the continuous profile, and code
/// names the hot function. Every step is timed.
public struct DrillScenario: Scenario {
    public let name = "drill"
    public let summary = "SLO alert -> exemplar trace ids -> trace-filtered flame graph -> named hot function, timed"
    static let plantedHotspot = "PricingEngine.applyPairwiseBundleDiscounts"
    let port: UInt16 = 18600

    public init() {}

    /// The drill's measured timeline (seconds since the load started).
    struct Timeline: Codable {
        var faultAt: Double
        var alertAt: Double?
        var namedAt: Double?
        var alertSeverity: String?
        var exemplarTraceIDs: [TraceID]
        /// The Prometheus alert that fired: its name and labels (severity, windows, burn rate).
        var alertName: String?
        var alertLabels: [String: String]?
        /// The alerting rule's PromQL, as Prometheus reports it (read after the function is named).
        var alertQuery: String?
        /// The exemplar query sent to Prometheus, over the alert's long window (Unix seconds).
        var exemplarQuery: String?
        var exemplarWindow: [Double]?
        /// Exemplars in that window, and how many were slower than the SLO's threshold.
        var exemplarsReturned: Int?
        /// Unix time of the load's start (the timeline's zero).
        var startUnixTime: Double
        var namedFunction: String?
        var namedFunctionShare: Double?
        /// How surely the same function would be named again from as many traces (`ProfileQueries.hottestPower`).
        var namingPower: Double?
        var filteredSamples: Int
        var faultToAlertSeconds: Double? { alertAt.map { $0 - faultAt } }
        var alertToNamedSeconds: Double? { namedAt.flatMap { n in alertAt.map { n - $0 } } }
    }

    public func run(_ context: ScenarioContext) throws -> ScenarioOutcome {
        let dir = try context.directory(for: name)
        let slo = try SLODefinition.load(path: context.paths.root + "/lab/slo/checkout.json")
        _ = try context.controller.start(version: "v1", port: port)
        defer { try? context.controller.stop(port: port) }
        context.progress.update("drill: starting Prometheus (scrapes 127.0.0.1:\(port) every 1 s, evaluates \(CheckoutSLORules.path))")
        let target = "127.0.0.1:\(port)"
        let prometheus = try PrometheusServer(paths: context.paths, scratch: try PrivateFile.temporaryDirectory(prefix: "flamelab-drill-prometheus"),
                                              target: target, waitForTarget: false)
        defer { prometheus.stop() }
        // The product path: `lab agent --service` writes windows into a store; the drill reads it.
        let session = try context.agentSession(for: name, hz: 99, kinds: [.cpu])
        var sessionStopped = false
        // Its first scrape came while the agent attached: the steady phase starts with the SLO's series.
        try prometheus.waitForFirstScrape(of: target)
        defer { if !sessionStopped { _ = try? session.stop() } }
        let steady = context.pick(full: 20.0, quick: 8.0)
        let load = LoadGenerator(options: LoadOptions(mode: .open(rate: 25), durationSeconds: steady + 90, mix: try RouteMix.parse("checkout"), port: port))
        let loadThread = Thread { _ = load.run() }
        loadThread.start()
        defer { load.stop() }
        var (timeline, profile) = try drive(context, slo: slo, prometheus: prometheus, session: session, steadySeconds: steady)
        let burn = try? burnChart(prometheus.client, slo: slo, rule: Self.firedRule(slo, timeline), timeline: timeline)
        load.stop()
        // The browser drill starts its own service, `lab serve` (with its Prometheus) and agent: this one is done.
        try? context.controller.stop(port: port)
        prometheus.stop()
        _ = try? session.stop()
        sessionStopped = true
        let browser = Result { try BrowserDrill(paths: context.paths, steadySeconds: context.pick(full: 32, quick: 8)).run(into: dir, progress: context.progress) }
        try report(context, dir: dir, slo: slo, burn: burn, timeline: &timeline, profile: profile, browser: browser)
        return outcome(timeline, browser: browser, quick: context.quick)
    }

    /// Runs the clock: flip the fault after the steady phase, ask Prometheus for its alerts every 0.5 s,
    /// act on the SLO's page as soon as it fires.
    private func drive(_ context: ScenarioContext, slo: SLODefinition, prometheus: PrometheusServer, session: StoreAgentSession,
                       steadySeconds: Double) throws -> (Timeline, Profile?) {
        let start = ThreadClock.now()
        var timeline = Timeline(faultAt: steadySeconds, exemplarTraceIDs: [], startUnixTime: Date().timeIntervalSince1970, filteredSamples: 0)
        let shop = ShopClient(port: port)
        var faulted = false
        while ThreadClock.now() - start < steadySeconds + 80 {
            let now = ThreadClock.now() - start
            if !faulted && now >= steadySeconds {
                try shop.setFault(share: 0.4, factor: 12)
                timeline.faultAt = now
                faulted = true
            }
            // Either page of the SLO: in a run shorter than its 6 h window the 6x page reads the whole run.
            let pages = try prometheus.client.alerts().compactMap { alert in slo.alerts.first { CheckoutSLORules.isPage(alert, of: $0) }.map { (alert, $0) } }
            let page = pages.first { $0.0.isFiring } ?? pages.first
            let alert = page?.0
            context.progress.update(String(format: "drill: t=%.0f s  %@ %@%@", now, CheckoutSLORules.alertName, alert?.state ?? "inactive", faulted ? "  fault ON" : ""))
            if faulted, let alert, alert.isFiring {
                timeline.alertAt = ThreadClock.now() - start
                timeline.alertSeverity = alert.labels["severity"]
                timeline.alertName = alert.name
                timeline.alertLabels = alert.labels
                let profile = try nameHotFunction(slo: slo, rule: page?.1 ?? slo.alerts[0], prometheus: prometheus, session: session, timeline: &timeline)
                timeline.namedAt = ThreadClock.now() - start
                timeline.alertQuery = try? prometheus.client.rules().first {
                    $0.type == "alerting" && $0.name == alert.name && $0.labels?["burn_rate"] == alert.labels["burn_rate"]
                }?.query
                return (timeline, profile)
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
        return (timeline, nil)
    }

    /// Alert -> Prometheus's exemplars of the alert's long window, slower than the SLO's threshold ->
    /// the store's samples of those traces -> the hottest service function, by code. The agent writes
    /// its open window first (SIGUSR1), so the last seconds are in the store.
    private func nameHotFunction(slo: SLODefinition, rule: SLODefinition.BurnRateAlert, prometheus: PrometheusServer, session: StoreAgentSession,
                                 timeline: inout Timeline) throws -> Profile {
        let exemplars = try CheckoutSLORules.slowExemplars(prometheus.client, slo: slo, rule: rule, end: Date().timeIntervalSince1970)
        timeline.exemplarQuery = CheckoutSLORules.exemplarSeries
        timeline.exemplarWindow = exemplars.window
        timeline.exemplarsReturned = exemplars.returned
        timeline.exemplarTraceIDs = exemplars.slow.map(\.traceID)
        try session.flush()
        let filtered = try session.profile(ProfileQuery(runs: RunFilter(kind: .cpu), traceIDs: timeline.exemplarTraceIDs))
        timeline.filteredSamples = filtered.samples.count
        if let hot = ProfileQueries.hottest(filtered, kinds: [.app]) {
            timeline.namedFunction = hot.name
            timeline.namedFunctionShare = hot.share
            timeline.namingPower = ProfileQueries.hottestPower(filtered, kinds: [.app])
        }
        return filtered
    }

    private func outcome(_ t: Timeline, browser: Result<BrowserDrill.Result, Error>, quick: Bool) -> ScenarioOutcome {
        let named = t.namedFunction.map(FunctionName.display) ?? "nothing"
        let alertToNamed = t.alertToNamedSeconds ?? .infinity
        var headline = String(format: "fault -> alert %.1f s, alert -> named function %.2f s: %@ (%.0f%% of the slow traces' samples)",
                              t.faultToAlertSeconds ?? -1, alertToNamed, named as NSString, (t.namedFunctionShare ?? 0) * 100)
        var checks: [ScenarioOutcome.Check] = [
            .init("Prometheus fired the burn-rate page", t.alertAt != nil, t.alertName.map { "\($0) (\(t.alertSeverity ?? "?"))" } ?? "no alert"),
            .init("the drill names the planted hotspot, with >= \(SamplingPower.target) power from its traces",
                  (t.namedFunction?.contains(Self.plantedHotspot) ?? false) && (t.namingPower ?? 0) >= SamplingPower.target,
                  String(format: "%@ from %d samples of %d traces (power %.4f)", named as NSString, t.filteredSamples, t.exemplarTraceIDs.count, t.namingPower ?? 0)),
            .init("alert -> named function under 30 s (brief)", alertToNamed < 30, String(format: "%.2f s", alertToNamed)),
        ]
        // The 1 s goal is checked on full runs; a quick run shares the CPUs with the test build's leftovers.
        if !quick {
            checks.append(.init("alert -> named function under 1 s by machine (goal)", alertToNamed < 1, String(format: "%.2f s", alertToNamed)))
        }
        switch browser {
        case .success(let b):
            let clicked = b.alertToNamedSeconds ?? .infinity
            let problems = (b.failures ?? []) + (b.consoleErrors ?? []).map { "console error on \($0.page): \($0.message ?? "")" }
            headline += String(format: "; in the browser alert -> named %.1f s", clicked)
            checks += [
                .init("the browser drill names the planted hotspot", b.namedFunction?.contains(Self.plantedHotspot) ?? false, b.namedFunction.map(FunctionName.display) ?? "nothing"),
                .init("browser alert -> named function under 10 s (goal)", clicked < 10, String(format: "%.2f s", clicked)),
                .init("no console errors and every browser check passed", problems.isEmpty, problems.isEmpty ? "none" : problems.joined(separator: "; ")),
            ]
        case .failure(let error):
            checks.append(.init("the browser drill ran", false, "\(error)"))
        }
        var figures: [ScenarioOutcome.Figure] = [
            .init("fault -> alert", t.faultToAlertSeconds ?? .nan, unit: "s"),
            .init("alert -> named function", alertToNamed, unit: "s"),
            .init("named function's share of the slow traces", (t.namedFunctionShare ?? 0) * 100, unit: "%"),
            .init("trace-filtered samples", Double(t.filteredSamples)),
        ]
        if case .success(let b) = browser {
            figures.append(.init("browser alert -> named function", b.alertToNamedSeconds ?? .nan, unit: "s"))
        }
        return ScenarioOutcome(scenario: name, headline: headline, checks: checks, figures: figures)
    }

    private func report(_ context: ScenarioContext, dir: String, slo: SLODefinition, burn: LineChart?,
                        timeline: inout Timeline, profile: Profile?, browser: Result<BrowserDrill.Result, Error>) throws {
        try PrivateFile.writeJSON(timeline, to: "\(dir)/timeline.json")
        if let profile {
            try PrivateFile.write(SVGRenderer().render(profile: profile, title: "CPU of the \(timeline.exemplarTraceIDs.count) slowest checkouts"), to: "\(dir)/flamegraph.svg")
            try PrivateFile.write(HTMLRenderer().render(profile: profile, title: "CPU of the slowest checkouts"), to: "\(dir)/flamegraph.html")
        }
        if let burn { try PrivateFile.write(burn.svg(), to: "\(dir)/burn-rate.svg") }
        let scale = CheckoutSLORules.timeScale
        let pages = slo.alerts.map { alert in
            "\(alert.burnRate)x over \(Int(alert.longWindowSeconds / 60)) min and \(Int(alert.shortWindowSeconds / 60)) min (\(Int(alert.longWindowSeconds / scale)) s and \(String(format: "%.0f", alert.shortWindowSeconds / scale)) s)"
        }
        var report = MarkdownReport(title: "Drill: from a burning SLO to the hot function", machine: context.machine, command: context.command(for: name),
                                    settings: [("SLO", "\(Int(slo.objective * 100))% of \(slo.route) under \(Int(slo.latencyThresholdSeconds * 1000)) ms (lab/slo/checkout.json)"),
                                               ("Alerts", "Prometheus rules `\(CheckoutSLORules.alertName)` (\(CheckoutSLORules.path)), lab time scaled \(Int(scale)):1: page when the burn rate exceeds " + pages.joined(separator: ", or ")),
                                               ("Prometheus", String(format: "scrapes the shop's /metrics (OpenMetrics, exemplars on) every %.0f s, evaluates the rules every %.0f s, exemplar storage on", PrometheusServer.scrapeIntervalSeconds, PrometheusServer.evaluationIntervalSeconds)),
                                               ("Agent", "one `lab agent --service` (99 Hz CPU, unwind fp, trace ids on) writing 2 s windows into a store; at the alert it writes its open window (SIGUSR1) and the drill queries the store by the exemplars' trace ids"),
                                               ("Samples", "\(timeline.filteredSamples) CPU samples carry the alert's exemplar trace ids"),
                                               ("Load", "open loop 25 checkout/s; fault: pricing basket x12 for 40% of checkouts")])
        report.heading("Timeline")
        report.table(header: ["step", "at (s)", "elapsed"], rows: [
            ["fault switch flipped", String(format: "%.1f", timeline.faultAt), ""],
            ["alert fires (\(timeline.alertSeverity ?? "none"))", timeline.alertAt.map { String(format: "%.1f", $0) } ?? "-", timeline.faultToAlertSeconds.map { String(format: "fault -> alert %.1f s", $0) } ?? "-"],
            ["hot function named", timeline.namedAt.map { String(format: "%.2f", $0) } ?? "-", timeline.alertToNamedSeconds.map { String(format: "alert -> named %.2f s", $0) } ?? "-"],
        ])
        report.heading("What Prometheus answered")
        if let query = timeline.alertQuery {
            report.paragraph("The rule that fired (`GET /api/v1/rules`), over the recording rules of \(CheckoutSLORules.path):")
            report.code(query, language: "promql")
        }
        report.table(header: ["step", "request", "answer"], rows: [
            ["the alert", "`GET /api/v1/alerts`", "`\(timeline.alertName ?? "none")` firing, labels " + (timeline.alertLabels ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")],
            ["the exemplars", "`GET /api/v1/query_exemplars?query=\(timeline.exemplarQuery ?? "-")` over the alert's long window (\(timeline.exemplarWindow.map { String(format: "%.0f s", $0[1] - $0[0]) } ?? "-"))",
             "\(timeline.exemplarsReturned ?? 0) exemplars, \(timeline.exemplarTraceIDs.count) distinct traces slower than \(Int(slo.latencyThresholdSeconds * 1000)) ms"],
        ])
        report.paragraph("Named by code from the trace-filtered profile: **`\(timeline.namedFunction.map(FunctionName.display) ?? "none")`** (\(String(format: "%.0f", (timeline.namedFunctionShare ?? 0) * 100))% of the slow traces' CPU samples, by leaf-most service frame). Exemplar trace ids: \(timeline.exemplarTraceIDs.prefix(5).map { "`\($0)`" }.joined(separator: ", "))\(timeline.exemplarTraceIDs.count > 5 ? ", ..." : "").")
        report.image("burn rate", path: "burn-rate.svg")
        report.image("trace-filtered flame graph", path: "flamegraph.svg")
        report.paragraph("[Interactive flame graph](flamegraph.html)")
        browserSection(&report, browser)
        try PrivateFile.write(report.text, to: "\(dir)/report.md")
    }

    /// The same drill clicked through `lab serve` in headless Chromium: timings and the annotated screenshots.
    private func browserSection(_ report: inout MarkdownReport, _ browser: Result<BrowserDrill.Result, Error>) {
        report.heading("The same drill in the browser (`lab serve`, headless Chromium)")
        guard case .success(let b) = browser else {
            if case .failure(let error) = browser { report.paragraph("The browser drill did not run: \(error)") }
            return
        }
        report.paragraph("A script (`lab/browser/browser_drill.py`, selenium) does what the on-call person does: watch the status page, click the alert when it fires, open the CPU flame graph of all the alert's slow traces, read the top self function the page names. Its own service and `lab serve` (burn-rate windows scaled 120:1), the same fault.")
        report.table(header: ["step", "elapsed"], rows: [
            ["fault -> alert on the status page", b.faultToAlertSeconds.map { String(format: "%.1f s", $0) } ?? "-"],
            ["alert -> top self function named on the flame-graph page", b.alertToNamedSeconds.map { String(format: "%.2f s", $0) } ?? "-"],
        ])
        report.paragraph("Named on the page: **`\(b.namedFunction.map(FunctionName.display) ?? "nothing")`** from \(b.exemplarTraceIDs?.count ?? 0) exemplar traces; the off-CPU view of the same traces names `\(b.offcpuTopFunction.map(FunctionName.display) ?? "nothing")`. Console errors: \(b.consoleErrors?.count ?? 0); failed checks: \((b.failures ?? []).isEmpty ? "none" : (b.failures ?? []).joined(separator: "; ")).")
        for (number, step) in BrowserDrill.steps.enumerated() {
            report.image("\(number + 1). \(step.caption)", path: step.file)
        }
    }

    /// The SLO page that fired (the first one when none did).
    static func firedRule(_ slo: SLODefinition, _ timeline: Timeline) -> SLODefinition.BurnRateAlert {
        let burnRate = timeline.alertLabels?["burn_rate"].flatMap(Double.init)
        return slo.alerts.first { $0.burnRate == burnRate } ?? slo.alerts[0]
    }

    /// The page's two burn windows as Prometheus recorded them (its recording rules), over the drill.
    private func burnChart(_ client: PrometheusClient, slo: SLODefinition, rule alert: SLODefinition.BurnRateAlert, timeline: Timeline) throws -> LineChart {
        let end = timeline.startUnixTime + (timeline.namedAt ?? timeline.faultAt + 60) + 2
        func burn(_ realSeconds: Double) throws -> [(x: Double, y: Double)] {
            try client.queryRange(CheckoutSLORules.badRatio(realSeconds: realSeconds), start: timeline.startUnixTime, end: end, step: 0.5)
                .map { (x: $0.0 - timeline.startUnixTime, y: $0.1 / slo.errorBudget) }
        }
        return LineChart(title: "checkout SLO burn rate in Prometheus (fault at \(Int(timeline.faultAt)) s, alert at \(timeline.alertAt.map { String(format: "%.1f", $0) } ?? "-") s)",
                         xLabel: "seconds", yLabel: "burn rate (x budget)", series: [
            .init(label: "long window", color: "#d62728", points: try burn(alert.longWindowSeconds)),
            .init(label: "short window", color: "#ff7f0e", points: try burn(alert.shortWindowSeconds)),
            .init(label: "page at \(alert.burnRate)", color: "#555", dashed: true, points: [(0, alert.burnRate), (end - timeline.startUnixTime, alert.burnRate)]),
        ])
    }
}
