import Agent
import FlameGraph
import Foundation
import LabRuntime
import ProfileModel

/// `memory`: the memory drill. Steady checkout load with one agent recording CPU, allocations and
/// in-use memory; switch the planted leak on; Prometheus scrapes the shop's resident memory and its
/// growth alert fires; an in-use snapshot taken then names the leaking function (by code), a second
/// one a few seconds later shows it grown; the alloc profile names the allocation churn instead, and
/// the CPU profile of the same window points at neither. Every step is timed.
public struct MemoryScenario: Scenario {
    public let name = "memory"
    public let summary = "leak on -> RSS growth alert -> in-use profile names the leak, alloc the churn, CPU neither; timed"
    let port: UInt16 = 18900
    /// Checkouts per second: each keeps ~120 KiB once the leak is on, so ~3 MiB/s of growth.
    static let checkoutRate = 25.0

    public init() {}

    /// What one drill run leaves: its timeline, the in-use snapshots and the finished recording.
    struct Run {
        var timeline: MemoryDrillTimeline
        var firstInuse: Profile?
        var secondInuse: Profile?
        var leak: ShopLeakState?
        var recording: AgentRecording
        var endMonotonicNs: UInt64
        var residentMiB: [(x: Double, y: Double)]
    }

    public func run(_ context: ScenarioContext) throws -> ScenarioOutcome {
        let dir = try context.directory(for: name)
        let run = try drill(context)
        let cpu = try profile(.cpu, of: run), alloc = try profile(.alloc, of: run), faults = try profile(.faults, of: run)
        guard let first = run.firstInuse, let second = run.secondInuse else {
            throw FlamelabError("failed to take the in-use snapshots: the agent ended before the drill did (\(run.recording.stats.summary))")
        }
        let window = ProfileFilter(timeWindowNs: run.timeline.leakMonotonicNs...run.endMonotonicNs)
        let findings = MemoryDrillFindings(firstInuse: first, secondInuse: second, allocWindow: window.apply(to: alloc),
                                           cpuWindow: window.apply(to: cpu), faultsWindow: window.apply(to: faults), leakTrueBytes: run.leak?.rememberedBytes)
        // The peer runs on a shop of its own after the drill (heaptrack slows every allocation); quick runs skip it.
        let heaptrack = HeaptrackPeerRun(port: port + 1, seconds: 20, rate: Self.checkoutRate)
        let peers = context.quick ? nil : Result { try heaptrack.run(context) }
        let jemalloc = context.quick ? nil : Result {
            try JemallocPeerRun(options: try heaptrack.loadOptions(port: port + 3), rateBytes: AgentConfig.defaultAllocRateBytes).run(context)
        }
        let cost = context.quick ? nil : Result { try MemoryCostRun(port: port + 2, seconds: 6, rounds: 3, rate: Self.checkoutRate).run(context) }
        try writeEvidence(context, dir: dir, run: run, findings: findings, alloc: window.apply(to: alloc), cpu: window.apply(to: cpu),
                          faults: window.apply(to: faults), peers: peers, jemalloc: jemalloc, cost: cost)
        return outcome(run, findings, peers: peers, jemalloc: jemalloc)
    }

    private func profile(_ kind: ProfileKind, of run: Run) throws -> Profile {
        guard let profile = run.recording.profile(kind) else {
            throw FlamelabError("failed to record a \(kind.rawValue) profile of the shop: \(run.recording.stats.summary)")
        }
        return profile
    }

    /// Starts the shop, Prometheus (with the memory alert) and the agent, runs the load, and drives the clock.
    private func drill(_ context: ScenarioContext) throws -> Run {
        let service = try context.controller.start(version: "v1", port: port)
        defer { try? context.controller.stop(port: port) }
        let target = "127.0.0.1:\(port)"
        context.progress.update("memory: starting Prometheus (scrapes \(target) every 1 s, evaluates \(MemoryAlertRules.path))")
        let prometheus = try PrometheusServer(paths: context.paths, scratch: try PrivateFile.temporaryDirectory(prefix: "flamelab-memory-prometheus"),
                                              target: target, rules: context.paths.root + "/" + MemoryAlertRules.path, waitForTarget: false)
        defer { prometheus.stop() }
        context.progress.update("memory: attaching the agent (cpu 99 Hz, page faults 1 per 64, alloc + inuse at 1 per 512 KiB) to pid \(service.pid)")
        let agent = Agent(config: AgentConfig(targets: .pids([service.pid]), hz: 99, kinds: [.cpu, .alloc, .inuse, .faults], unwind: .fp,
                                              durationSeconds: nil, service: "flamelab-shop", version: "v1"))
        do { try agent.start() } catch { throw FlamelabError("failed to start the agent on the shop (pid \(service.pid)): \(error)") }
        agent.waitUntilPrepared()
        try prometheus.waitForFirstScrape(of: target)
        let steady = context.pick(full: 20.0, quick: 8.0)
        let load = LoadGenerator(options: LoadOptions(mode: .open(rate: Self.checkoutRate), durationSeconds: steady + 150,
                                                      mix: try RouteMix.parse("checkout"), port: port))
        let loadThread = Thread { _ = load.run() }
        loadThread.start()
        defer { load.stop() }
        var run = try drive(context, prometheus: prometheus, agent: agent, steadySeconds: steady)
        load.stop()
        run.residentMiB = (try? residentSeries(prometheus.client, timeline: run.timeline)) ?? []
        agent.requestStop()
        run.recording = agent.finish()
        return run
    }

    /// Switches the leak on after the steady phase, asks Prometheus for the alert every 0.5 s, and acts
    /// on it: an in-use snapshot names the leak at once, a second one `gap` seconds later shows the growth.
    private func drive(_ context: ScenarioContext, prometheus: PrometheusServer, agent: Agent, steadySeconds: Double) throws -> Run {
        let start = ThreadClock.now()
        var timeline = MemoryDrillTimeline(leakAt: steadySeconds, startUnixTime: Date().timeIntervalSince1970,
                                           startMonotonicNs: UInt64(start * 1e9), leakMonotonicNs: UInt64(start * 1e9))
        var run = Run(timeline: timeline, recording: AgentRecording(profiles: [], stats: AgentRunStats()), endMonotonicNs: 0, residentMiB: [])
        let shop = ShopClient(port: port)
        var leaking = false
        let gap = context.pick(full: 10.0, quick: 5.0)
        while ThreadClock.now() - start < steadySeconds + 120 {
            let now = ThreadClock.now() - start
            if !leaking && now >= steadySeconds {
                try shop.setLeak(true)
                timeline.leakAt = now
                timeline.leakMonotonicNs = UInt64(ThreadClock.now() * 1e9)
                leaking = true
            }
            let alert = try prometheus.client.alerts().first { $0.name == MemoryAlertRules.alertName }
            context.progress.update(String(format: "memory: t=%.0f s  %@ %@%@", now, MemoryAlertRules.alertName, alert?.state ?? "inactive", leaking ? "  leak ON" : ""))
            if leaking, let alert, alert.isFiring {
                timeline.alertAt = ThreadClock.now() - start
                timeline.alertName = alert.name
                run.firstInuse = agent.memorySnapshot(.inuse)
                if let first = run.firstInuse, let top = ProfileQueries.hottest(first, kinds: [.app]) {
                    timeline.namedFunction = top.name
                    timeline.namedShare = top.share
                }
                timeline.namedAt = ThreadClock.now() - start
                context.progress.update("memory: alert fired; named \(timeline.namedFunction.map(FunctionName.display) ?? "nothing"); second snapshot in \(Int(gap)) s")
                Thread.sleep(forTimeInterval: gap)
                run.secondInuse = agent.memorySnapshot(.inuse)
                run.leak = try? shop.leakState()
                timeline.secondSnapshotAt = ThreadClock.now() - start
                break
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
        if run.firstInuse == nil { run.firstInuse = agent.memorySnapshot(.inuse) }
        if run.secondInuse == nil { run.secondInuse = run.firstInuse }
        timeline.alertQuery = try? prometheus.client.rules().first { $0.type == "alerting" && $0.name == MemoryAlertRules.alertName }?.query
        run.timeline = timeline
        run.endMonotonicNs = UInt64(ThreadClock.now() * 1e9)
        return run
    }

    /// heaptrack's checks (full runs): the same top functions, the same total within 10%.
    static func peerChecks(_ peers: Result<HeaptrackPeerRun.Result, Error>?) -> [ScenarioOutcome.Check] {
        switch peers {
        case nil: return []
        case .failure(let error): return [.init("heaptrack comparison ran", false, "\(error)")]
        case .success(let p):
            return [
                .init("top 5 by allocated bytes: at least 4 in common with heaptrack", p.commonTop5 >= 4,
                      "\(p.commonTop5) of 5 (flamelab \(p.flamelab.top(5)), heaptrack \(p.heaptrack.top(5)))"),
                .init("bytes allocated per checkout within 10% of heaptrack", abs(p.totalBytesError) <= 0.10,
                      String(format: "%.0f KiB vs %.0f KiB (%+.1f%%)", p.flamelabBytesPerCheckout / 1024, p.heaptrackBytesPerCheckout / 1024, p.totalBytesError * 100)),
            ]
        }
    }

    /// Resident memory in MiB over the drill, as Prometheus scraped it.
    private func residentSeries(_ client: PrometheusClient, timeline: MemoryDrillTimeline) throws -> [(x: Double, y: Double)] {
        let end = Date().timeIntervalSince1970
        return try client.queryRange(MemoryAlertRules.residentSeries, start: timeline.startUnixTime, end: end, step: 1)
            .map { (x: $0.0 - timeline.startUnixTime, y: $0.1 / 1_048_576) }
    }

    /// jemalloc's profiler is a second sampling peer, not ground truth (it counts usable sizes, on
    /// another allocator): the check is that it ran; its agreement is a figure.
    static func jemallocChecks(_ jemalloc: Result<JemallocPeerRun.Result, Error>?) -> [ScenarioOutcome.Check] {
        switch jemalloc {
        case nil: return []
        case .failure(let error): return [.init("jemalloc profiler comparison ran", false, "\(error)")]
        case .success(let j):
            return [.init("jemalloc profiler comparison ran", j.checkouts > 0 && j.jemalloc.totalBytes > 0,
                          String(format: "%d checkouts, %.0f KiB per checkout, top 5 %@", j.checkouts, j.bytesPerCheckout / 1024, j.jemalloc.top(5).description))]
        }
    }

    private func outcome(_ run: Run, _ f: MemoryDrillFindings, peers: Result<HeaptrackPeerRun.Result, Error>?,
                         jemalloc: Result<JemallocPeerRun.Result, Error>?) -> ScenarioOutcome {
        let t = run.timeline
        let named = t.namedFunction.map(FunctionName.display) ?? "nothing"
        let checks: [ScenarioOutcome.Check] = [
            .init("RSS growth alert fired after the leak", t.alertAt != nil,
                  t.leakToAlertSeconds.map { String(format: "%@ fired %.1f s after the leak", MemoryAlertRules.alertName as NSString, $0) } ?? "never fired"),
            .init("in-use profile names the leaking function", MemoryDrillFindings.names(t.namedFunction, MemoryDrillFindings.leakingFunction),
                  String(format: "%@ (%.0f%% of in-use bytes)", named as NSString, (t.namedShare ?? 0) * 100)),
            .init("diff of two in-use snapshots: the leak grew most", MemoryDrillFindings.names(f.grownTop, MemoryDrillFindings.leakingFunction) && f.grownBytes > 0,
                  String(format: "%@ +%.1f MiB", (f.grownTop.map(FunctionName.display) ?? "nothing") as NSString, Double(f.grownBytes) / 1_048_576)),
            .init("alloc profile names the allocation churn", MemoryDrillFindings.names(f.allocTop, MemoryDrillFindings.churnFunction),
                  String(format: "%@ (%.0f%% of allocated bytes)", (f.allocTop.map(FunctionName.display) ?? "nothing") as NSString, f.allocTopShare * 100)),
            .init("in-use profile does not point at the churn", f.churnShareOfInuse < 0.05, String(format: "%.1f%% of in-use bytes", f.churnShareOfInuse * 100)),
            .init("CPU profile of the window does not point at the leak", !MemoryDrillFindings.names(f.cpuTop, MemoryDrillFindings.leakingFunction) && f.leakShareOfCPU < 0.05,
                  String(format: "CPU top %@, leak %.1f%% of CPU", (f.cpuTop.map(FunctionName.display) ?? "nothing") as NSString, f.leakShareOfCPU * 100)),
        ] + Self.peerChecks(peers) + Self.jemallocChecks(jemalloc)
        let headline = String(format: "leak on -> alert %@ s -> named %@ %@ s later; alloc names %@, CPU names %@",
                              t.leakToAlertSeconds.map { String(format: "%.1f", $0) } ?? "never", named,
                              t.alertToNamedSeconds.map { String(format: "%.2f", $0) } ?? "-",
                              f.allocTop.map(FunctionName.display) ?? "nothing", f.cpuTop.map(FunctionName.display) ?? "nothing")
        let versusHeaptrack = if case .success(let p) = peers {
            String(format: "; against heaptrack: %d of the top 5, %+.1f%% bytes per checkout", p.commonTop5, p.totalBytesError * 100)
        } else { "" }
        var figures: [ScenarioOutcome.Figure] = []
        if let s = t.leakToAlertSeconds { figures.append(.init("leak on -> alert", s, unit: "s")) }
        if let s = t.alertToNamedSeconds { figures.append(.init("alert -> named function", s, unit: "s")) }
        if let e = f.leakEstimateError { figures.append(.init("in-use estimate of the leak vs its true size", e * 100, unit: "%")) }
        figures.append(.init("leak's share of the page faults (cheap mode)", f.leakShareOfFaults * 100, unit: "%"))
        figures.append(.init("churn's share of the page faults (cheap mode)", f.churnShareOfFaults * 100, unit: "%"))
        if case .success(let p) = peers { figures.append(.init("alloc total vs heaptrack", p.totalBytesError * 100, unit: "%")) }
        if case .success(let p) = peers, case .success(let j) = jemalloc {
            figures.append(.init("jemalloc profiler total vs heaptrack", (j.bytesPerCheckout / p.heaptrackBytesPerCheckout - 1) * 100, unit: "%"))
        }
        return ScenarioOutcome(scenario: name, headline: headline + versusHeaptrack, checks: checks, figures: figures)
    }
}
