import ProfileModel
import Foundation
import LabRuntime

/// The drill as a person clicks it: `lab/browser/browser_drill.py` drives `lab serve` in headless Chromium
/// (status page -> alert -> slow traces -> trace-filtered flame graph), times each step and saves an annotated
/// screenshot of each into the scenario's directory (`browser-*.png`, `browser-drill.json`).
struct BrowserDrill {
    /// What the script measured (`browser-drill.json`).
    struct Result: Decodable {
        struct ConsoleError: Decodable {
            var page: String
            var message: String?
        }

        var faultToAlertSeconds: Double?
        var alertToNamedSeconds: Double?
        var namedFunction: String?
        var exemplarTraceIDs: [String]?
        var offcpuTopFunction: String?
        var traceSearchTopFunction: String?
        var traceCPUWall: String?
        var deployToV2WindowSeconds: Double?
        var consoleErrors: [ConsoleError]?
        var failures: [String]?
    }

    /// The screenshots the script saves, with what each shows.
    static let steps: [(file: String, caption: String)] = [
        ("browser-1-status.png", "SLO status before the fault"),
        ("browser-2-alert.png", "the burn-rate alert on the status page"),
        ("browser-3-traces.png", "the alert's slow exemplar traces"),
        ("browser-4-flamegraph.png", "CPU flame graph of those traces, top self function named"),
        ("browser-5-offcpu.png", "off-CPU flame graph of the same traces"),
        ("browser-7-range.png", "the last 5 minutes, picked in the range selector"),
        ("browser-8-trace.png", "one trace searched: its CPU, off-CPU and CPU/wall"),
        ("browser-9-picked.png", "the flame graph of three picked exemplars, ids folded"),
        ("browser-10-diff.png", "after a v1 -> v2 deploy: the version diff from the store"),
    ]

    var paths: LabPaths
    /// Seconds of load before the fault: past the long burn-rate window, so a quiet status page means something.
    var steadySeconds: Int

    /// Runs the script (about a minute) and decodes its result. Throws when it could not run at all:
    /// no python3/selenium/chromium, or it stopped before writing its result.
    func run(into dir: String, progress: ProgressLine) throws -> Result {
        let script = paths.root + "/lab/browser/browser_drill.py"
        let log = dir + "/browser-drill.log"
        let resultPath = dir + "/browser-drill.json"
        try? FileManager.default.removeItem(atPath: resultPath)
        guard let python = ExecutablePath.find("python3") else { throw FlamelabError("failed to run the browser drill: python3 not found") }
        let process = try ChildProcess(python, [script, "--lab", paths.labExecutable, "--results", dir, "--steady", "\(steadySeconds)"], output: log)
        let start = Date()
        while !process.wait(seconds: 1) {
            let elapsed = Date().timeIntervalSince(start)
            if elapsed > 300 {
                process.signal(SIGKILL)
                throw FlamelabError("failed to run the browser drill: still running after 300 s (log: \(log))")
            }
            progress.update(String(format: "drill: the same drill through lab serve in headless Chromium, %.0f s", elapsed))
        }
        if process.exitStatus == 3 {
            throw FlamelabError("failed to run the browser drill: \(Self.tail(of: log)) (make deps installs chromium, chromium-driver and selenium)")
        }
        guard let data = FileManager.default.contents(atPath: resultPath) else {
            throw FlamelabError("failed to run the browser drill: exit status \(process.exitStatus ?? -1), no result: \(Self.tail(of: log))")
        }
        do {
            return try JSONDecoder().decode(Result.self, from: data)
        } catch {
            throw FlamelabError("failed to decode \(resultPath): \(error)")
        }
    }

    private static func tail(of path: String) -> String {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(2).joined(separator: " / ")
    }
}
