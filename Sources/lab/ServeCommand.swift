import ArgumentParser
import Foundation
import LabRuntime
import LabServer

/// `lab serve`: the drill's web UI (SLO burn rates, alerts, trace-filtered flame graphs) on 127.0.0.1.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the drill's web UI over the profile store: SLO status, alerts, flame graphs, traces, diffs (127.0.0.1 only).",
        discussion: """
        The UI follows the service's SLO in Prometheus: by default it starts its own (`prometheus`, Debian's package)
        on 127.0.0.1:--prometheus-port, scraping the service every second and evaluating lab/slo/checkout.rules.yml;
        --prometheus URL uses one you run (it must scrape the service with exemplar storage on and load those rules).
        It records burn-rate alerts with the slow checkouts' exemplars (latency, version, CPU/wall), and reads the profile store that `lab agent` writes: flame graphs of any time range, service,
        version and kind, one trace's CPU and off-CPU, diffs of two selections. It loads no BPF itself; without an
        agent its pages say how to start one, and --with-agent starts `lab agent --service` as a child (root).
        Pages: / (SLO status), /alerts/<id>, /flamegraph?last=15m&version=v2&kind=cpu&trace_id=a,b,
        /trace/<id>, /diff?base=v1&cand=v2&last=1h.

        Examples:
          lab service start --version v1 --port 8080
          sudo lab agent --service &                 # the store: results/runs/profiles.sqlite
          lab serve --port 8099 --service-port 8080
          lab serve --prometheus http://127.0.0.1:9090   # your own Prometheus (see lab/prometheus/)
          sudo lab serve --with-agent --window 5s    # agent and UI in one command
          curl -X POST 'http://127.0.0.1:8080/admin/fault?share=0.4&factor=12'   # then watch http://127.0.0.1:8099/
        """
    )

    @Option(help: "Port of the web UI on 127.0.0.1.") var port: Int = 8099
    @Option(name: .customLong("service-port"), help: "Port of the flamelab-shop service to watch.") var servicePort: UInt16 = 8080
    @Option(help: "SLO definition (JSON).") var slo: String = "lab/slo/checkout.json"
    @Option(help: "URL of a running Prometheus that scrapes the service and loads lab/slo/checkout.rules.yml (default: start one).")
    var prometheus: String?
    @Option(name: .customLong("prometheus-port"), help: "Port on 127.0.0.1 of the Prometheus that lab serve starts.")
    var prometheusPort: UInt16 = 19090
    @Option(name: .customLong("store"), help: "The profile store (default: results/runs/profiles.sqlite).") var storePath: String?
    @Flag(name: .customLong("with-agent"), help: "Also start `lab agent --service` on the store (needs root).") var withAgent = false
    @Option(help: "The agent's window length, e.g. 5s (the child's --window; pages wait this long for a window).")
    var window = Duration(seconds: 10)

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be in 1...65535") }
        if let prometheus, URL(string: prometheus)?.scheme?.hasPrefix("http") != true {
            throw ValidationError("--prometheus must be an http(s) URL, e.g. http://127.0.0.1:9090; got \(prometheus)")
        }
        guard window.seconds >= 1 else { throw ValidationError("--window must be at least 1s; got \(window)") }
    }

    func run() async throws {
        let sloPath = slo.hasPrefix("/") ? slo : LabPaths().root + "/" + slo
        let options = ServeOptions(port: port, servicePort: servicePort, sloPath: sloPath, prometheusURL: prometheus, prometheusPort: prometheusPort,
                                   storePath: try ContinuousAgentConfig.storePath(storePath), withAgent: withAgent,
                                   windowSeconds: window.seconds)
        try await LabServer(options: options).run()
    }
}
