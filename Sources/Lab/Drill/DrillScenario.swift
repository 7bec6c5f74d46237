import FlameGraph
import Foundation
import LabRuntime
import ProfileModel
import ProfileStore

/// `drill`: the brief's "SLO to flame graph in under 30 seconds". Steady load, flip the fault switch, the
/// multiwindow burn-rate alert fires from the service's metrics, the slow requests' exemplar trace ids
/// filter the continuous profile, and code names the hot function. Every step is timed.
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
        let scale = context.quick ? slo.quickLabTimeScale : slo.labTimeScale
        _ = try context.controller.start(version: "v1", port: port)
        defer { try? context.controller.stop(port: port) }
        // The product path: `lab agent --service` writes windows into a store; the drill reads it.
        let session = try context.agentSession(for: name, hz: 99, kinds: [.cpu])
        var sessionStopped = false
        defer { if !sessionStopped { _ = try? session.stop() } }
        let steady = context.pick(full: 20.0, quick: 8.0)
        let load = LoadGenerator(options: LoadOptions(mode: .open(rate: 25), durationSeconds: steady + 90, mix: try RouteMix.parse("checkout"), port: port))
        let loadThread = Thread { _ = load.run() }
        loadThread.start()
        defer { load.stop() }
        let monitor = BurnRateMonitor(slo: slo, client: ShopClient(port: port), timeScale: scale)
        var (timeline, profile) = try drive(context, monitor: monitor, session: session, steadySeconds: steady)
        load.stop()
        // The browser drill starts its own service, `lab serve` and agent: this one is done.
        try? context.controller.stop(port: port)
        _ = try? session.stop()
        sessionStopped = true
        let browser = Result { try BrowserDrill(paths: context.paths, steadySeconds: context.pick(full: 32, quick: 12)).run(into: dir, progress: context.progress) }
        try report(context, dir: dir, slo: slo, scale: scale, monitor: monitor, timeline: &timeline, profile: profile, browser: browser)
        return outcome(timeline, browser: browser, quick: context.quick)
    }

    /// Runs the clock: scrape every 0.5 s, flip the fault after the steady phase, act on the alert.
    private func drive(_ context: ScenarioContext, monitor: BurnRateMonitor, session: StoreAgentSession, steadySeconds: Double) throws -> (Timeline, Profile?) {
        let start = ThreadClock.now()
        var timeline = Timeline(faultAt: steadySeconds, exemplarTraceIDs: [], filteredSamples: 0)
        let shop = ShopClient(port: port)
        let evaluator = AlertEvaluator(slo: monitor.slo)
        var faulted = false
        while ThreadClock.now() - start < steadySeconds + 80 {
            let now = ThreadClock.now() - start
            try monitor.scrape(at: now)
            if !faulted && now >= steadySeconds {
                try shop.setFault(share: 0.4, factor: 12)
                timeline.faultAt = now
                faulted = true
            }
            context.progress.update(String(format: "drill: t=%.0f s  burn(long)=%.1f  burn(short)=%.1f%@", now,
                                           monitor.burnRate(windowSeconds: monitor.slo.alerts[0].longWindowSeconds),
                                           monitor.burnRate(windowSeconds: monitor.slo.alerts[0].shortWindowSeconds), faulted ? "  fault ON" : ""))
            if faulted, let firing = evaluator.firing(monitor.history) {
                timeline.alertAt = ThreadClock.now() - start
                timeline.alertSeverity = firing.alert.severity
                let profile = try nameHotFunction(session: session, since: now - timeline.faultAt, timeline: &timeline)
                timeline.namedAt = ThreadClock.now() - start
                return (timeline, profile)
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
        return (timeline, nil)
    }

    /// Alert -> exemplars -> the store's samples of those traces -> the hottest service function, by
    /// code. The agent writes its open window first (SIGUSR1), so the last seconds are in the store.
    private func nameHotFunction(session: StoreAgentSession, since seconds: Double, timeline: inout Timeline) throws -> Profile {
        let slow = try ShopClient(port: port).slowest(route: "checkout", limit: 20, windowSeconds: max(1, seconds + 1))
        timeline.exemplarTraceIDs = slow.map(\.traceID)
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
            .init("the burn-rate alert fired", t.alertAt != nil, t.alertSeverity ?? "no alert"),
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

    private func report(_ context: ScenarioContext, dir: String, slo: SLODefinition, scale: Double, monitor: BurnRateMonitor,
                        timeline: inout Timeline, profile: Profile?, browser: Result<BrowserDrill.Result, Error>) throws {
        try PrivateFile.writeJSON(timeline, to: "\(dir)/timeline.json")
        if let profile {
            try PrivateFile.write(SVGRenderer().render(profile: profile, title: "CPU of the \(timeline.exemplarTraceIDs.count) slowest checkouts"), to: "\(dir)/flamegraph.svg")
            try PrivateFile.write(HTMLRenderer().render(profile: profile, title: "CPU of the slowest checkouts"), to: "\(dir)/flamegraph.html")
        }
        try PrivateFile.write(burnChart(monitor, timeline: timeline).svg(), to: "\(dir)/burn-rate.svg")
        let alert = slo.alerts[0]
        var report = MarkdownReport(title: "Drill: from a burning SLO to the hot function", machine: context.machine, command: context.command(for: name),
                                    settings: [("SLO", "\(Int(slo.objective * 100))% of \(slo.route) under \(Int(slo.latencyThresholdSeconds * 1000)) ms (lab/slo/checkout.json)"),
                                               ("Alert", "burn rate > \(alert.burnRate) over \(Int(alert.longWindowSeconds / 60)) min and \(Int(alert.shortWindowSeconds / 60)) min, scaled \(Int(scale)):1 to \(Int(alert.longWindowSeconds / scale)) s and \(String(format: "%.1f", alert.shortWindowSeconds / scale)) s"),
                                               ("Agent", "one `lab agent --service` (99 Hz CPU, unwind fp, trace ids on) writing 2 s windows into a store; at the alert it writes its open window (SIGUSR1) and the drill queries the store by the exemplars' trace ids"),
                                               ("Samples", "\(timeline.filteredSamples) CPU samples carry the alert's exemplar trace ids"),
                                               ("Load", "open loop 25 checkout/s; fault: pricing basket x12 for 40% of checkouts")])
        report.heading("Timeline")
        report.table(header: ["step", "at (s)", "elapsed"], rows: [
            ["fault switch flipped", String(format: "%.1f", timeline.faultAt), ""],
            ["alert fires (\(timeline.alertSeverity ?? "none"))", timeline.alertAt.map { String(format: "%.1f", $0) } ?? "-", timeline.faultToAlertSeconds.map { String(format: "fault -> alert %.1f s", $0) } ?? "-"],
            ["hot function named", timeline.namedAt.map { String(format: "%.2f", $0) } ?? "-", timeline.alertToNamedSeconds.map { String(format: "alert -> named %.2f s", $0) } ?? "-"],
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

    private func burnChart(_ monitor: BurnRateMonitor, timeline: Timeline) -> LineChart {
        let alert = monitor.slo.alerts[0]
        let history = BurnRateHistory(points: monitor.points, slo: monitor.slo, timeScale: monitor.timeScale)
        return LineChart(title: "checkout SLO burn rate (fault at \(Int(timeline.faultAt)) s, alert at \(timeline.alertAt.map { String(format: "%.1f", $0) } ?? "-") s)",
                         xLabel: "seconds", yLabel: "burn rate (x budget)", series: [
            .init(label: "long window", color: "#d62728", points: history.series(windowSeconds: alert.longWindowSeconds)),
            .init(label: "short window", color: "#ff7f0e", points: history.series(windowSeconds: alert.shortWindowSeconds)),
            .init(label: "page at \(alert.burnRate)", color: "#555", dashed: true, points: [(0, alert.burnRate), (monitor.points.last?.seconds ?? 1, alert.burnRate)]),
        ])
    }
}
