import ProfileModel
import ArgumentParser
import Foundation
import LabRuntime

/// `lab load`: open- or closed-loop load on the shop service with a latency table per route.
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Drive the shop service; print a latency table per route and write it as JSON.",
        discussion: """
        Open loop (default) sends at a constant rate and measures latency from each request's due
        time, so a slow server cannot hide its latency (no coordinated omission). Closed loop keeps
        N connections busy: use it for throughput at saturation.

        Examples:
          lab load --mode open --rate 100 --duration 20s --mix all
          lab load --mode closed --connections 8 --duration 30s --mix checkout
          lab load --mix checkout=70,price=10,inventory=10,tax=5,recommend=5 --port 8081 --version v2 -o results/runs/load.json
        """
    )

    enum Mode: String, ExpressibleByArgument, CaseIterable { case open, closed }

    @Option(help: "open (constant arrival rate) or closed (N connections).") var mode: Mode = .open
    @Option(help: "Open loop: requests per second.") var rate: Double = 50
    @Option(help: "Closed loop: concurrent connections.") var connections: Int = 4
    @Option(help: "How long to send, e.g. 20s, 2m.") var duration = Duration(seconds: 10)
    @Option(help: "Route mix: 'all', or route=weight,... (routes: checkout, price, inventory, tax, recommend).") var mix: String = "all"
    @Option(help: "Service port on 127.0.0.1.") var port: UInt16 = 8080
    @Option(help: "Deploy label under test (written into the report).") var version: String?
    @Option(name: .shortAndLong, help: "Write the JSON report (summary + every request's trace id and latency) here.") var output: String?

    func validate() throws {
        guard rate > 0, rate <= 50_000 else { throw ValidationError("--rate must be in (0, 50000]") }
        guard (1...512).contains(connections) else { throw ValidationError("--connections must be 1-512") }
        do { _ = try RouteMix.parse(mix) } catch { throw ValidationError(String(describing: error)) }
    }

    func run() throws {
        let loadMode: LoadOptions.Mode = mode == .open ? .open(rate: rate) : .closed(connections: connections)
        let options = LoadOptions(mode: loadMode, durationSeconds: duration.seconds,
                                  mix: try RouteMix.parse(mix), port: port, version: version)
        let progress = ProgressLine()
        let result = LoadGenerator(options: options).run { elapsed, done, errors in
            progress.update(String(format: "load: %.0f/%.0f s  %d requests  %d errors", elapsed, options.durationSeconds, done, errors))
        }
        progress.finish()
        print(result.table())
        let path = output ?? LabPaths().resultsDirectory + "/runs/load-latest.json"
        try PrivateFile.writeJSON(result.jsonReport(), to: path)
        print("wrote \(path)")
        if result.records.allSatisfy(\.isError) {
            throw FlamelabError.failed("load", "service on port \(port)", "every request failed (\(result.records.first?.error ?? "no requests"))")
        }
    }
}
