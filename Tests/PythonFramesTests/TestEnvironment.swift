import Foundation
import Testing

/// Root / CI rules: a test that needs something missing skips with a message, but under CI=true it fails.
enum TestEnvironment {
    static var isRoot: Bool { geteuid() == 0 }
    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Returns false (and skips, or fails under CI) when `condition` does not hold.
    static func require(_ condition: Bool, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        if condition { return true }
        if isCI {
            Issue.record("CI=true but \(what)", sourceLocation: sourceLocation)
        } else {
            print("skipped: \(what)")
        }
        return false
    }

    /// Runs a command to completion; returns (exit status, combined output).
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], directory: URL? = nil) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// The first executable called `name` on PATH or in pyenv's shims.
    static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/root/.pyenv/shims", "/root/.local/bin", "/usr/local/bin"]
        return directories.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
