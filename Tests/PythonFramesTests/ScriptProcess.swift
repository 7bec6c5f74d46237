import Foundation

/// A child process running a fixture script; its stdout goes to a file that is polled for "ready".
final class ScriptProcess {
    let process = Process()
    private let outputURL: URL

    init(executable: String, arguments: [String]) throws {
        outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("pyframes-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = TestPaths.fixtures
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// Waits until the script printed its "ready" line. False on timeout or early exit.
    func waitUntilReady(timeout: TimeInterval = 20) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
            if text.contains("ready") { return true }
            if !process.isRunning { return false }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    /// The words of the "ready" line after "ready" (empty before it was printed).
    var readyWords: [String] {
        let text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("ready") }) else { return [] }
        return line.split(separator: " ").dropFirst().map(String.init)
    }

    func stop() {
        if process.isRunning {
            // SIGKILL, not terminate(): the child inherits the test runner's signal mask, which may block SIGTERM.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: outputURL)
    }

    deinit { stop() }
}
