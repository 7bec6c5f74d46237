import Foundation
import Testing

/// Runs `Browser/check_flamegraph_page.py` (selenium + Debian's chromium/chromedriver) on a page.
enum BrowserSupport {
    static var script: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Browser/check_flamegraph_page.py")
    }

    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Why the browser check cannot run here, or nil when it can.
    static let missing: String? = {
        let fm = FileManager.default
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":").map(String.init)
        func onPath(_ tool: String) -> Bool { paths.contains { fm.isExecutableFile(atPath: $0 + "/" + tool) } }
        if !onPath("chromium") { return "chromium not installed (apt-get install chromium chromium-driver)" }
        if !onPath("chromedriver") { return "chromedriver not installed (apt-get install chromium-driver)" }
        if !onPath("python3") { return "python3 not installed" }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import selenium"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return "python3 could not be started" }
        probe.waitUntilExit()
        return probe.terminationStatus == 0 ? nil : "python selenium not installed (pip install selenium)"
    }()

    /// Runs the tests when the browser is here, and always under CI=true (where a missing browser fails).
    static var shouldRun: Bool { missing == nil || isCI }

    /// The screenshots directory, `results/flamegraph/` at the repository root.
    static var screenshots: URL {
        FixtureSupport.repositoryRoot.appendingPathComponent("results/flamegraph")
    }

    /// Writes `html` to a private temp file, runs the checker, and returns its JSON report.
    static func check(html: String, name: String, arguments: [String]) throws -> [String: Any] {
        if let missing {
            Issue.record("browser check required under CI=true but \(missing)")
            return [:]
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flamelab-browser-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: dir) }
        let page = dir.appendingPathComponent("\(name).html")
        try html.write(to: page, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: screenshots, withIntermediateDirectories: true)
        let shot = screenshots.appendingPathComponent("\(name).png")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, page.path, "--screenshot", shot.path] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let report = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        let failures = report["failures"] as? [String] ?? []
        #expect(process.terminationStatus == 0, "browser check of \(name) failed (exit \(process.terminationStatus)): \(failures) \(String(decoding: data, as: UTF8.self).prefix(2000))")
        return report
    }
}
