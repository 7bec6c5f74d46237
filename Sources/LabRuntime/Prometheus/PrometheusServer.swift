import Foundation
import ProfileModel

/// A Prometheus server the lab starts on loopback for one run: it scrapes the shop's /metrics
/// (OpenMetrics, so it keeps the trace-id exemplars), evaluates the SLO's rules (lab/slo/) and
/// serves alerts and exemplars through its API. Its data lives in the run's scratch folder.
public final class PrometheusServer: Sendable {
    /// The scrape and rule-evaluation intervals the template sets (lab/prometheus/prometheus.yml.template).
    public static let scrapeIntervalSeconds = 1.0
    public static let evaluationIntervalSeconds = 1.0

    public let port: UInt16
    public let client: PrometheusClient
    /// The rules file it evaluates.
    public let rulesPath: String
    private let process: ChildProcess

    /// Renders the config into `scratch`, starts `prometheus` scraping `target` (host:port) on
    /// 127.0.0.1:`port` and waits until it is ready and, with `waitForTarget`, has scraped the target
    /// once. Throws one line naming the cause when it cannot.
    public init(paths: LabPaths, scratch: String, target: String, port: UInt16 = 19090, rules: String? = nil, waitForTarget: Bool = true) throws {
        guard let executable = ExecutablePath.find("prometheus") else {
            throw FlamelabError("failed to start Prometheus: no `prometheus` binary on PATH (Debian: apt-get install prometheus; `make lab` installs it)")
        }
        // Another server there would answer our queries; one that is not Prometheus makes ours exit (logged).
        if PrometheusClient(port: port, timeoutSeconds: 1).isReady() {
            throw FlamelabError("failed to start Prometheus: 127.0.0.1:\(port) is already in use")
        }
        self.port = port
        rulesPath = rules ?? paths.root + "/lab/slo/checkout.rules.yml"
        let config = scratch + "/prometheus.yml"
        try PrivateFile.write(try Self.render(template: paths.root + "/lab/prometheus/prometheus.yml.template", target: target, rules: rulesPath), to: config)
        let log = scratch + "/prometheus.log"
        process = try ChildProcess(executable, [
            "--config.file=\(config)", "--storage.tsdb.path=\(scratch)/prometheus-data",
            "--web.listen-address=127.0.0.1:\(port)", "--enable-feature=exemplar-storage",
        ], output: log)
        client = PrometheusClient(port: port)
        try waitUntilReady(log: log)
        if waitForTarget { try waitForFirstScrape(of: target) }
    }

    /// Stops the server (SIGTERM, then SIGKILL after 10 s).
    public func stop() {
        process.signal(SIGTERM)
        if !process.wait(seconds: 10) {
            process.signal(SIGKILL)
            _ = process.wait(seconds: 5)
        }
    }

    /// The template with its `{{TARGET}}` and `{{RULES}}` filled in.
    static func render(template: String, target: String, rules: String) throws -> String {
        guard let text = try? String(contentsOfFile: template, encoding: .utf8) else {
            throw FlamelabError("failed to read the Prometheus config template \(template): no such file")
        }
        return text.replacingOccurrences(of: "{{TARGET}}", with: target).replacingOccurrences(of: "{{RULES}}", with: rules)
    }

    private func waitUntilReady(log: String) throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if client.isReady() { return }
            if process.hasExited {
                throw FlamelabError("failed to start Prometheus: it exited with status \(process.exitStatus ?? -1): \(Self.lastError(in: log))")
            }
            usleep(100_000)
        }
        stop()
        throw FlamelabError("failed to start Prometheus: not ready on 127.0.0.1:\(port) after 30 s (\(Self.lastError(in: log)))")
    }

    /// Ready is not scraping: the first scrape comes seconds later (5-6 s seen here), and a run's clock
    /// must not start before the SLO's series exist. A target that does not answer fails here, by name.
    /// (Callers that start other things meanwhile pass `waitForTarget: false` and call this after.)
    public func waitForFirstScrape(of target: String) throws {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let up = try? client.value("up{instance=\"\(target)\"}") {
                if up == 1 { return }
                stop()
                throw FlamelabError("failed to scrape \(target) from Prometheus: the target is down (see its /api/v1/targets lastError)")
            }
            usleep(200_000)
        }
        stop()
        throw FlamelabError("failed to scrape \(target) from Prometheus: no scrape after 20 s")
    }

    /// The last line of Prometheus's log that reports an error, or its last line.
    static func lastError(in log: String) -> String {
        let lines = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n")
        let line = lines.last { $0.contains("level=error") || $0.contains("err=") } ?? lines.last ?? "no log"
        return String(line.prefix(300))
    }

}
