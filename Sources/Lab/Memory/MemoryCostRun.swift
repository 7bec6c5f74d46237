import Agent
import Foundation
import LabRuntime
import ProfileModel

/// What memory profiling costs the service: the checkout's CPU per request (its thread CPU, from the
/// shop's Server-Timing header, which includes the uprobe traps the request's allocator calls take) with
/// flamelab's alloc, in-use or page-fault profile attached, against none, in segments on one shop. Each
/// round runs the settings in a shuffled order, and each setting is compared with the round's own `off`.
struct MemoryCostRun {
    enum Setting: String, Codable, CaseIterable {
        case off, alloc, inuse, faults

        var kinds: Set<ProfileKind> {
            switch self {
            case .off: return []
            case .alloc: return [.alloc]
            case .inuse: return [.inuse]
            case .faults: return [.faults]
            }
        }
    }

    /// One segment's median checkout CPU.
    struct Segment: Codable {
        var round: Int
        var setting: Setting
        var cpuMsMedian: Double
        var checkouts: Int
    }

    /// A setting over the rounds: its CPU per checkout against the same round's `off`.
    struct Row: Codable {
        var setting: String
        var cpuMsMedian: Double
        var ratioMedian: Double
        var ratioMin: Double
        var ratioMax: Double
    }

    let port: UInt16
    let seconds: Double
    let rounds: Int
    let rate: Double

    func run(_ context: ScenarioContext) throws -> [Segment] {
        let service = try context.controller.start(version: "v1", port: port)
        defer { try? context.controller.stop(port: port) }
        var generator = SeededGenerator(seed: 13)
        var segments: [Segment] = []
        for round in 1...rounds {
            for setting in Setting.allCases.shuffled(using: &generator) {
                context.progress.update("memory: cost, round \(round)/\(rounds), \(setting.rawValue)")
                segments.append(try segment(setting, round: round, pid: service.pid))
            }
        }
        return segments
    }

    private func segment(_ setting: Setting, round: Int, pid: Int32) throws -> Segment {
        var agent: Agent?
        if setting != .off {
            let profiler = Agent(config: AgentConfig(targets: .pids([pid]), kinds: setting.kinds, unwind: .fp, durationSeconds: nil,
                                                     service: "flamelab-shop", version: "v1"))
            try profiler.start()
            profiler.waitUntilPrepared()
            agent = profiler
        }
        let load = LoadGenerator(options: LoadOptions(mode: .open(rate: rate), durationSeconds: seconds, mix: try RouteMix.parse("checkout"), port: port)).run()
        agent?.requestStop()
        _ = agent?.finish()
        guard let median = load.summaries.first(where: { $0.route == "checkout" })?.serverCPUMsMedian else {
            throw FlamelabError.failed("measure", "the checkout's CPU (\(setting.rawValue), round \(round))", "no Server-Timing cpu in \(load.records.count) responses")
        }
        return Segment(round: round, setting: setting, cpuMsMedian: median, checkouts: load.records.count)
    }

    /// One row per setting other than `off`, with its ratio to the same round's `off`.
    static func rows(_ segments: [Segment]) -> [Row] {
        let off = Dictionary(segments.filter { $0.setting == .off }.map { ($0.round, $0.cpuMsMedian) }, uniquingKeysWith: { a, _ in a })
        return Setting.allCases.map { setting in
            let mine = segments.filter { $0.setting == setting }
            let ratios = mine.compactMap { s in off[s.round].map { s.cpuMsMedian / $0 } }
            return Row(setting: setting.rawValue, cpuMsMedian: Statistics.median(mine.map(\.cpuMsMedian)) ?? .nan,
                       ratioMedian: Statistics.median(ratios) ?? .nan, ratioMin: ratios.min() ?? .nan, ratioMax: ratios.max() ?? .nan)
        }
    }
}
