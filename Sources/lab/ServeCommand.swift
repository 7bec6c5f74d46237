import ArgumentParser
import Foundation
import LabRuntime
import LabServer

/// `lab serve`: the drill's web UI (SLO burn rates, alerts, trace-filtered flame graphs) on 127.0.0.1.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the drill's web UI: SLO status, alerts, their slow traces' flame graphs (127.0.0.1 only, needs root to profile).",
        discussion: """
        The UI watches the service's /metrics, records burn-rate alerts with the slowest checkouts' trace ids,
        profiles the service continuously (CPU and off-CPU, rolling windows kept in memory) and draws
        trace-filtered flame graphs that name the top self function. Pages: / (SLO status), /alerts/<id>,
        /flamegraph?trace_id=a,b&kind=cpu|offcpu, /diff?base=v1&candidate=v2.

        Examples:
          lab service start --version v1 --port 8080
          sudo lab serve --port 8099 --service-port 8080
          sudo lab serve --slo lab/slo/checkout.json --time-scale 120 --window 5s
          curl -X POST 'http://127.0.0.1:8080/admin/fault?share=0.4&factor=12'   # then watch http://127.0.0.1:8099/
        """
    )

    @Option(help: "Port of the web UI on 127.0.0.1.") var port: Int = 8099
    @Option(name: .customLong("service-port"), help: "Port of the flamelab-shop service to watch and profile.") var servicePort: UInt16 = 8080
    @Option(help: "SLO definition (JSON).") var slo: String = "lab/slo/checkout.json"
    @Option(name: .customLong("time-scale"), help: "Real seconds per lab second for the burn-rate windows (default: the SLO's labTimeScale).")
    var timeScale: Double?
    @Option(help: "Length of one profiling window, e.g. 5s.") var window = Duration(seconds: 5)
    @Option(name: .customLong("keep-windows"), help: "Profiling windows kept in memory per service version.") var keepWindows: Int = 12

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be in 1...65535") }
        guard timeScale.map({ $0 > 0 }) ?? true else { throw ValidationError("--time-scale must be positive") }
        guard keepWindows >= 1 else { throw ValidationError("--keep-windows must be at least 1") }
        guard window.seconds >= 1 else { throw ValidationError("--window must be at least 1s; got \(window)") }
    }

    func run() async throws {
        let sloPath = slo.hasPrefix("/") ? slo : LabPaths().root + "/" + slo
        let options = ServeOptions(port: port, servicePort: servicePort, sloPath: sloPath, timeScale: timeScale,
                                   windowSeconds: window.seconds, keptWindows: keepWindows)
        try await LabServer(options: options).run()
    }
}
