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
    var readyWords: [String] { lastWords(after: "ready") }

    /// Waits until a line starting with `keyword` was printed; returns its words (empty on timeout).
    func waitForWords(after keyword: String, timeout: TimeInterval = 10) -> [String] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, process.isRunning {
            let words = lastWords(after: keyword)
            if !words.isEmpty { return words }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return []
    }

    /// The words after `keyword` on the last complete line starting with it (empty when there is none).
    func lastWords(after keyword: String) -> [String] {
        let text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        let complete = text.hasSuffix("\n") ? Substring(text) : text[..<(text.lastIndex(of: "\n") ?? text.startIndex)]
        guard let line = complete.split(separator: "\n").last(where: { $0.hasPrefix(keyword + " ") }) else { return [] }
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
