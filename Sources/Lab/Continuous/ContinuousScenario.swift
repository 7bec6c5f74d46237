import FlameGraph
import Foundation
import LabRuntime
import ProfileModel
import ProfileStore

/// `continuous`: the soak. The shop under steady checkout load, a v1 -> v2 deploy half way, and one
/// `lab agent --service` (99 Hz, CPU and off-CPU, trace ids, the Python walker) writing windows into
/// a store the whole time. Reports what a person standing this up needs to trust it: windows
/// written and lost, drops, samples per window, the agent's CPU and memory over time, store bytes
/// per sample, query times, and how soon the deploy was profiled.
public struct ContinuousScenario: Scenario {
    public let name = "continuous"
    public let summary = "soak: lab agent writes windows to the store for minutes across a v1 -> v2 deploy; drops, RSS, bytes/sample, query times"
    let port: UInt16 = 18800
    /// Minutes of the full run (`lab run continuous --minutes 60` for a longer soak).
    public var minutes: Double?

    public init(minutes: Double? = nil) {
        self.minutes = minutes
    }

    struct Result: Codable {
        var seconds: Double
        var windowSeconds: Double
        var deployAtSeconds: Double
        var agent: ContinuousAgentStatus
        var store: StoreFigures
        /// The query goals' size: the soak's windows copied over an hour (`HourScaleStore`).
        var hourScale: StoreFigures
        var hourScaleCopies: Int
        /// An hour of the soak's windows at the soak's own load, for bytes per sample.
        var hourOfSoak: StoreFigures
        var resources: ResourceTimeline
        var firstV2SampleAfterDeploySeconds: Double?
        var firstV2WindowEndAfterDeploySeconds: Double?
        var rssSlopeMiBPerTenMinutes: Double?
        /// Seconds of warm-up the slope leaves out: half the soak, at most 5 minutes.
        var rssWarmUpSeconds: Double
        /// The slope after the first minute only, reported beside it.
        var rssSlopeAfterFirstMinute: Double?
        var agentCPUMsPerSecond: Double?
        var loadRequests: Int
    }

    public func run(_ context: ScenarioContext) throws -> ScenarioOutcome {
        let dir = try context.directory(for: name)
        let seconds = (minutes.map { $0 * 60 }) ?? context.pick(full: 480, quick: 40)
        let windowSeconds = context.pick(full: 10.0, quick: 5.0)
        let scratch = "\(context.resultsDirectory)/runs/continuous-\(getpid())"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let storePath = scratch + "/profiles.sqlite"
        _ = try context.controller.start(version: "v1", port: port)
        defer { try? context.controller.stop(port: port) }
        let agent = try AgentProcess(paths: context.paths, storePath: storePath, arguments: [
            "--service", "--window", "\(Int(windowSeconds))s", "--hz", "99", "--kind", "cpu,offcpu", "--python", "auto", "--status-interval", "60s"])
        var agentStopped = false
        // On an error below, the agent must not outlive the scenario with its BPF attached.
        defer { if !agentStopped { _ = try? agent.stop() } }
        let resources = ResourceTimeline.Recorder()
        resources.start(pid: agent.pid, interval: 5)
        let load = LoadGenerator(options: LoadOptions(mode: .open(rate: 25), durationSeconds: seconds, mix: try RouteMix.parse("checkout=8,recommend=1,inventory=1"), port: port))
        let loadBox = LoadRun()
        let loading = Thread { loadBox.set(load.run()) }
        loading.start()
        let start = Date()
        let deployAt = seconds / 2
        var v2: ServiceInstance?
        while Date().timeIntervalSince(start) < seconds {
            let elapsed = Date().timeIntervalSince(start)
            context.progress.update(String(format: "continuous: %.0f/%.0f s%@", elapsed, seconds, v2 == nil ? ", v1" : ", v2 deployed"))
            if v2 == nil, elapsed >= deployAt {
                try context.controller.stop(port: port)
                v2 = try context.controller.start(version: "v2", port: port)
            }
            Thread.sleep(forTimeInterval: 1)
        }
        load.stop()
        loadBox.wait()
        // The last window closes at the stop; the agent's memory is measured up to it.
        let timeline = resources.stop()
        agentStopped = true
        let status = try agent.stop()
        context.progress.update("continuous: measuring the store")
        let traceIDs = Array((loadBox.result?.records ?? []).filter { $0.route == "checkout" && !$0.isError }.sorted { $0.latencyMs > $1.latencyMs }.prefix(20).map(\.traceID))
        let figures = try StoreFigures.measure(storePath: storePath, traceIDs: traceIDs)
        context.progress.update("continuous: growing a copy of the store to an hour (~700k CPU samples) for the query goals")
        let hourPath = scratch + "/hour-scale.sqlite"
        let copies = try HourScaleStore.build(from: storePath, into: hourPath)
        let hourScale = try StoreFigures.measure(storePath: hourPath, traceIDs: traceIDs)
        let hourOfSoakPath = scratch + "/hour-of-soak.sqlite"
        try HourScaleStore.buildHour(from: storePath, into: hourOfSoakPath)
        let hourOfSoak = try StoreFigures.measure(storePath: hourOfSoakPath, traceIDs: traceIDs, repetitions: 1)
        let deploy = try deployFigures(storePath: storePath, v2: v2)
        let warmUp = min(60, seconds / 3)
        // The agent's caches fill as it meets the service's code paths, and again for v2's process
        // after the deploy half way: the memory slope is taken over the second half of the soak
        // (at most the last 5 minutes skipped), the first-minute slope is reported beside it.
        let rssWarmUp = min(300, seconds / 2)
        let result = Result(seconds: seconds, windowSeconds: windowSeconds, deployAtSeconds: deployAt, agent: status, store: figures,
                            hourScale: hourScale, hourScaleCopies: copies, hourOfSoak: hourOfSoak, resources: timeline,
                            firstV2SampleAfterDeploySeconds: deploy.sample, firstV2WindowEndAfterDeploySeconds: deploy.window,
                            rssSlopeMiBPerTenMinutes: timeline.rssSlopePerTenMinutes(after: rssWarmUp), rssWarmUpSeconds: rssWarmUp,
                            rssSlopeAfterFirstMinute: timeline.rssSlopePerTenMinutes(after: warmUp), agentCPUMsPerSecond: timeline.meanCPU(after: warmUp),
                            loadRequests: loadBox.result?.records.count ?? 0)
        try PrivateFile.writeJSON(result, to: "\(dir)/continuous.json")
        try PrivateFile.write(Self.resourceChart(timeline, deployAt: deployAt), to: "\(dir)/agent-resources.svg")
        try writeReport(context, dir: dir, result: result)
        return outcome(result, quick: context.quick)
    }

    /// When v2 was first sampled and first stored, seconds after it started.
    private func deployFigures(storePath: String, v2: ServiceInstance?) throws -> (sample: Double?, window: Double?) {
        guard let v2 else { return (nil, nil) }
        let store = try ProfileStore(path: storePath)
        let runs = try store.runs(filter: RunFilter(version: "v2", kind: .cpu))
        guard !runs.isEmpty else { return (nil, nil) }
        let profile = try store.profile(query: ProfileQuery(runs: RunFilter(ids: runs.map(\.id))))
        let first = profile.firstSampleUnixNs.map { Double($0) / 1e9 }
        let window = runs.map { Double($0.endUnixNs) / 1e9 }.min()
        return (first.map { $0 - v2.startedAtUnix }, window.map { $0 - v2.startedAtUnix })
    }

    private func outcome(_ r: Result, quick: Bool) -> ScenarioOutcome {
        let expectedWindows = Int((r.seconds / r.windowSeconds).rounded(.down))
        var checks: [ScenarioOutcome.Check] = [
            .init("no window lost", r.agent.windowsLost == 0, "\(r.agent.windowsWritten) written, \(r.agent.windowsLost) lost"),
            .init("a window every \(Int(r.windowSeconds)) s (at least \(expectedWindows - 1) of \(expectedWindows))", r.store.windows >= expectedWindows - 1,
                  "\(r.store.windows) windows in the store, \(r.store.rows) rows"),
            .init("every window holds samples", r.store.samplesPerWindow.allSatisfy { $0 > 0 },
                  "samples per window min \(r.store.samplesPerWindow.min() ?? 0), median \(Int(Statistics.median(r.store.samplesPerWindow.map(Double.init)) ?? 0))"),
            .init("no sample dropped (ring buffer, off-CPU map)", r.agent.drops == 0, "\(r.agent.drops) drops, \(r.agent.unreadable) unreadable stacks"),
            // Per sample at continuous scale: a soak of minutes is dominated by its fixed part (frames,
            // stacks, SQLite pages), which an hour of the same service's windows amortises.
            .init("store bytes per sample <= 18 (an hour of this soak's windows)", r.hourOfSoak.bytesPerSample <= 18,
                  String(format: "%.1f B/sample over %d samples (%.0f MiB); the soak's own store %.1f B/sample (%d samples, %.1f MiB, fixed part included)",
                         r.hourOfSoak.bytesPerSample, r.hourOfSoak.samples, Double(r.hourOfSoak.bytes) / 1_048_576,
                         r.store.bytesPerSample, r.store.samples, Double(r.store.bytes) / 1_048_576)),
            .init("v2 sampled within 1 s of its start, labelled v2", (r.firstV2SampleAfterDeploySeconds ?? .infinity) < 1,
                  r.firstV2SampleAfterDeploySeconds.map { String(format: "first v2 sample %.2f s after v2 started; first v2 window stored %.1f s after", $0, r.firstV2WindowEndAfterDeploySeconds ?? .nan) } ?? "no v2 window"),
            .init("trace-filtered flame graph over the last hour (~700k samples) <= 200 ms", r.hourScale.traceQuerySeconds <= 0.2,
                  String(format: "%.0f ms for %d traces (%d of %d last-hour CPU samples matched; the soak's windows copied %d times over the hour, %d windows)",
                         r.hourScale.traceQuerySeconds * 1000, r.hourScale.traceQueryTraces, r.hourScale.traceQuerySamples, r.hourScale.lastHourSamples, r.hourScaleCopies,
                         r.hourScale.windows)),
            .init("unfiltered flame graph of the last 15 minutes <= 300 ms", r.hourScale.recentQuerySeconds <= 0.3,
                  String(format: "%.0f ms (%d samples, same hour-scale store)", r.hourScale.recentQuerySeconds * 1000, r.hourScale.recentQuerySamples)),
        ]
        // A 60 s run has too few points after warm-up for a memory slope.
        if !quick {
            checks.append(.init("agent RSS flat after warm-up (slope < 1 MiB per 10 minutes)", (r.rssSlopeMiBPerTenMinutes ?? .infinity) < 1,
                                String(format: "%+.2f MiB per 10 min after %.0f s (after 60 s: %+.2f)", r.rssSlopeMiBPerTenMinutes ?? .nan, r.rssWarmUpSeconds,
                                       r.rssSlopeAfterFirstMinute ?? .nan)))
        }
        let headline = String(format: "%.1f min soak, %d windows written, %d lost, %llu drops; agent %.2f ms/s CPU, RSS %.0f MiB (slope %+.2f MiB/10 min); store %.1f B/sample at hour scale; trace query %.0f ms, 15-min query %.0f ms; v2 sampled %.2f s after its start",
                              r.seconds / 60, r.agent.windowsWritten, r.agent.windowsLost, r.agent.drops, r.agentCPUMsPerSecond ?? .nan,
                              r.resources.points.last?.rssMiB ?? .nan, r.rssSlopeMiBPerTenMinutes ?? .nan, r.hourOfSoak.bytesPerSample,
                              r.hourScale.traceQuerySeconds * 1000, r.hourScale.recentQuerySeconds * 1000, r.firstV2SampleAfterDeploySeconds ?? .nan)
        return ScenarioOutcome(scenario: name, headline: headline, checks: checks, figures: [
            .init("windows written", Double(r.agent.windowsWritten)),
            .init("windows lost", Double(r.agent.windowsLost)),
            .init("drops", Double(r.agent.drops)),
            .init("store bytes per sample (hour scale)", r.hourOfSoak.bytesPerSample, unit: "B"),
            .init("store bytes per sample (the soak's own)", r.store.bytesPerSample, unit: "B"),
            .init("agent CPU", r.agentCPUMsPerSecond ?? .nan, unit: "ms/s"),
            .init("agent RSS at the end", r.resources.points.last?.rssMiB ?? .nan, unit: "MiB"),
            .init("trace query (hour scale)", r.hourScale.traceQuerySeconds * 1000, unit: "ms"),
            .init("15-minute query (hour scale)", r.hourScale.recentQuerySeconds * 1000, unit: "ms"),
            .init("deploy to first v2 sample", r.firstV2SampleAfterDeploySeconds ?? .nan, unit: "s"),
        ])
    }

    static func resourceChart(_ timeline: ResourceTimeline, deployAt: Double) -> String {
        LineChart(title: "lab agent over the soak (deploy at \(Int(deployAt)) s)", xLabel: "seconds", yLabel: "RSS MiB / CPU ms per s", series: [
            .init(label: "RSS (MiB)", color: "#1f77b4", points: timeline.points.map { ($0.seconds, $0.rssMiB) }),
            .init(label: "CPU (ms/s)", color: "#d62728", points: timeline.points.map { ($0.seconds, $0.cpuMsPerSecond) }),
        ]).svg()
    }

    private func writeReport(_ context: ScenarioContext, dir: String, result r: Result) throws {
        var report = MarkdownReport(title: "Continuous profiling: a soak across a deploy", machine: context.machine, command: context.command(for: name), settings: [
            ("Agent", "`lab agent --service --window \(Int(r.windowSeconds))s --hz 99 --kind cpu,offcpu --python auto`: one process, BPF attached once"),
            ("Load", "open loop 25 req/s (checkout:recommend:inventory = 8:1:1) for \(Int(r.seconds)) s, \(r.loadRequests) requests; v1 -> v2 deploy at \(Int(r.deployAtSeconds)) s"),
        ])
        report.heading("Windows")
        report.table(header: ["written", "lost", "rows (kind x process)", "samples", "drops", "unreadable stacks", "samples per window (min / median / max)"], rows: [[
            "\(r.agent.windowsWritten)", "\(r.agent.windowsLost)", "\(r.store.rows)", "\(r.store.samples)", "\(r.agent.drops)", "\(r.agent.unreadable)",
            "\(r.store.samplesPerWindow.min() ?? 0) / \(Int(Statistics.median(r.store.samplesPerWindow.map(Double.init)) ?? 0)) / \(r.store.samplesPerWindow.max() ?? 0)"]])
        report.heading("The agent's own cost")
        let rss = r.resources.points.map(\.rssMiB)
        report.paragraph(String(format: "CPU %.2f ms per second after the first minute. RSS %.1f MiB at the first point, %.1f at its peak, %.1f at the end; slope %+.2f MiB per 10 minutes over the soak's second half (after %.0f s: the caches fill again for v2's process after the deploy), %+.2f after the first minute. From /proc every 5 s; the agent returns freed heap pages after each window.",
                                r.agentCPUMsPerSecond ?? .nan, rss.first ?? .nan, rss.max() ?? .nan, rss.last ?? .nan,
                                r.rssSlopeMiBPerTenMinutes ?? .nan, r.rssWarmUpSeconds, r.rssSlopeAfterFirstMinute ?? .nan))
        report.image("agent RSS and CPU over the soak", path: "agent-resources.svg")
        report.heading("The store")
        report.paragraph(String(format: "%.1f MiB for %d samples: **%.1f bytes per sample**, every sample keeping its time, trace id and span id (one row per window, samples packed and deflated; a row per sample was 73 bytes). A trace-filtered flame graph of %d slow checkouts over the whole store came back in %.0f ms (%d samples); an unfiltered one of the last 15 minutes in %.0f ms (%d samples): medians of 5.",
                                Double(r.store.bytes) / 1_048_576, r.store.samples, r.store.bytesPerSample, r.store.traceQueryTraces,
                                r.store.traceQuerySeconds * 1000, r.store.traceQuerySamples, r.store.recentQuerySeconds * 1000, r.store.recentQuerySamples))
        report.paragraph(String(format: "An hour of this load: the soak's windows repeated one after another until they fill an hour (%d windows, %d samples) take %.1f MiB, **%.1f bytes per sample** (the figure the 18-byte goal is checked on).",
                                r.hourOfSoak.windows, r.hourOfSoak.samples, Double(r.hourOfSoak.bytes) / 1_048_576, r.hourOfSoak.bytesPerSample))
        report.paragraph(String(format: "At the goals' size: the soak's windows written %d times over the hour before its end (real stacks, trace ids and times, repeated; copies tile the hour at the agent's cadence, several merged into one window where the hour has fewer slots than copies: %d windows, %d rows, as an agent writes in an hour), %d CPU samples in the last hour. The trace-filtered flame graph over that hour took **%.0f ms** (%d samples matched) and the unfiltered last 15 minutes **%.0f ms** (%d samples); medians of 5.",
                                r.hourScaleCopies, r.hourScale.windows, r.hourScale.rows, r.hourScale.lastHourSamples, r.hourScale.traceQuerySeconds * 1000, r.hourScale.traceQuerySamples,
                                r.hourScale.recentQuerySeconds * 1000, r.hourScale.recentQuerySamples))
        report.heading("The deploy")
        report.paragraph(String(format: "v2's first sample came %.2f s after it started (the agent follows `lab service` instances); its first window was stored %.1f s after.",
                                r.firstV2SampleAfterDeploySeconds ?? .nan, r.firstV2WindowEndAfterDeploySeconds ?? .nan))
        try PrivateFile.write(report.text, to: "\(dir)/report.md")
    }
}

/// The load run's result, set by the load thread.
/// `@unchecked Sendable`: `result` is written once before `done` is signalled and read after `wait`.
private final class LoadRun: @unchecked Sendable {
    private(set) var result: LoadResult?
    private let done = DispatchSemaphore(value: 0)

    func set(_ result: LoadResult) {
        self.result = result
        done.signal()
    }

    func wait() { done.wait() }
}
