import ProfileModel
import Foundation
import LabRuntime

/// `blindspot`: what sampling cannot see. A 2 µs function called tens of thousands of times per
/// request (TaxCalculator.roundToCents) and a 10 ms periodic sweep (CacheJanitor) are sampled at
/// several rates over short and long windows, against ground truth from the service's counters, the
/// scheduler's per-thread CPU and a uprobe/uretprobe pair, whose own cost is measured too.
public struct BlindspotScenario: Scenario {
    public let name = "blindspot"
    public let summary = "sampling blind spots: a 2 µs function and a 10 ms periodic one, 19-999 Hz vs counters and uprobes"

    public init() {}

    static let mainRates = [19, 97, 99, 100, 101, 999]
    static let comparedRates = [19, 99, 100, 999]
    static let aliasingRates = [100, 101]
    static let taxLines = 20_000

    public func run(_ context: ScenarioContext) throws -> ScenarioOutcome {
        let dir = try context.directory(for: name)
        let port: UInt16 = 18170
        let service = try context.controller.start(version: "v1", port: port, extraArguments: ["--counters", "--periodic-janitor"])
        defer { try? context.controller.stop(port: port) }
        let connection = ShopClient(port: port)
        _ = try connection.counters(enableAndReset: true)
        let result = try measure(context, pid: service.pid, port: port, connection: connection)
        try PrivateFile.writeJSON(result, to: "\(dir)/blindspot.json")
        try PrivateFile.write(BlindspotPlots.sampledShare(result), to: "\(dir)/sampled-share.svg")
        let analysis = BlindspotAnalysis(result: result)
        try PrivateFile.write(BlindspotPlots.aliasing(analysis), to: "\(dir)/aliasing.svg")
        try PrivateFile.write(BlindspotReportWriter(context: context, command: context.command(for: name), result: result, analysis: analysis).text(),
                              to: "\(dir)/report.md")
        context.progress.finish()
        return ScenarioOutcome(scenario: name, headline: analysis.headline, checks: analysis.checks(quick: context.quick), figures: analysis.figures)
    }

    private func measure(_ context: ScenarioContext, pid: Int32, port: UInt16, connection: ShopClient) throws -> BlindspotResult {
        let janitorTID = try findJanitorThread(pid: pid)
        let load = TaxLoad(port: port, lines: Self.taxLines)
        load.start()
        var loadStopped = false
        defer { if !loadStopped { _ = load.stop() } }
        Thread.sleep(forTimeInterval: 1)
        let mainWindows = context.pick(full: 30, quick: 8)
        context.progress.update("blindspot: sampling at \(Self.mainRates.map(String.init).joined(separator: "/")) Hz together for \(mainWindows) s")
        let main = try SamplingSession(rates: Self.mainRates, windows: mainWindows, windowSeconds: 1)
            .run(pid: pid, janitorTID: janitorTID, connection: connection, requests: load.requestWindows)
        context.progress.update("blindspot: uprobe/uretprobe ground truth")
        let uprobes = try UprobeTruthMeasurement(seconds: context.pick(full: 6, quick: 3)).run(pid: pid, janitorTID: janitorTID, connection: connection)
        let loadOutcome = load.stop()
        loadStopped = true
        // Without the tax load the janitor wakes on time: the cleanest case for phase-locking.
        let sessions = context.pick(full: 6, quick: 3)
        let sessionSeconds = context.pick(full: 7, quick: 3)
        var aliasing: [SamplingSession.Result] = []
        for index in 0..<sessions {
            context.progress.update("blindspot: aliasing session \(index + 1)/\(sessions) at 100 and 101 Hz (\(sessionSeconds) s, fresh timers)")
            aliasing.append(try SamplingSession(rates: Self.aliasingRates, windows: sessionSeconds, windowSeconds: 1).run(pid: pid, janitorTID: janitorTID, connection: connection))
        }
        context.progress.update("blindspot: uprobe cost, interleaved off/on")
        let cost = try UprobeCostMeasurement(repetitions: context.pick(full: 6, quick: 2), requestsPerRepetition: context.pick(full: 10, quick: 5), lines: 5_000)
            .run(pid: pid, janitorTID: janitorTID, port: port)
        return BlindspotResult(taxLines: Self.taxLines, janitorTID: janitorTID, main: main, mainWindowSeconds: 1, aliasingSessions: aliasing,
                               aliasingSessionSeconds: Double(sessionSeconds), uprobes: uprobes, uprobeCost: cost,
                               loadRequests: loadOutcome.requests, loadFailures: loadOutcome.failures)
    }

    /// The janitor is the only thread of an idle service that works: the busiest over a quiet second.
    private func findJanitorThread(pid: Int32) throws -> Int32 {
        let before = try ThreadSchedSnapshot.read(pid: pid)
        Thread.sleep(forTimeInterval: 1)
        let after = try ThreadSchedSnapshot.read(pid: pid)
        guard let tid = after.busiestThread(since: before) else {
            throw FlamelabError("failed to find the janitor thread of pid \(pid): no thread used CPU while idle (was --periodic-janitor passed?)")
        }
        return tid
    }
}
