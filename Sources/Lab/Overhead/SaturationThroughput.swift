import Agent

/// Closed-loop checkout throughput with the agent off and on (99 Hz, fp), back to back.
struct SaturationThroughput {
    struct Result: Codable {
        var offRequestsPerSecond: Double
        var onRequestsPerSecond: Double
    }

    var port: UInt16
    var seconds: Double

    func measure(pid: Int32, progress: ProgressLine?) throws -> Result {
        progress?.update("overhead: throughput at saturation")
        let options = LoadOptions(mode: .closed(connections: 16), durationSeconds: seconds, mix: try RouteMix.parse("checkout"), port: port)
        let off = LoadGenerator(options: options).run()
        let agent = Agent(config: AgentConfig(targets: .pids([pid]), hz: 99, kinds: [.cpu], unwind: .fp, python: .auto, durationSeconds: nil))
        agent.progress = .never
        try agent.start()
        let on = LoadGenerator(options: options).run()
        agent.requestStop()
        _ = agent.finish()
        return Result(offRequestsPerSecond: Double(off.records.filter { !$0.isError }.count) / off.seconds,
                      onRequestsPerSecond: Double(on.records.filter { !$0.isError }.count) / on.seconds)
    }
}
