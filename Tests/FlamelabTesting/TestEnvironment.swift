import Foundation
import Testing

/// What the tests that need root, tools or CI's rules share: one definition for every test target.
///
/// Rule: a test that needs root is `.requiresRoot`. Without root it shows as skipped, except under
/// CI=true, where it runs and fails (`requireRoot()` records why): CI runs as root, so a skip there
/// would hide a broken setup.
public enum TestEnvironment {
    public static var isRoot: Bool { geteuid() == 0 }
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
    /// Whether a root-only test is enabled: as root, and always under CI.
    public static var rootOrCI: Bool { isRoot || isCI }

    /// Why a precondition failed (thrown, so the test fails with the reason).
    public struct Unmet: Error, CustomStringConvertible {
        public var description: String
    }

    /// Throws (failing the test) unless running as root.
    public static func requireRoot(_ what: String = "loads real BPF programs") throws {
        guard isRoot else { throw Unmet(description: "needs root (\(what)); CI=true must run the tests as root") }
    }

    /// Returns false (the caller returns: a skip, printed) when `condition` does not hold; under CI
    /// the test fails instead.
    public static func require(_ condition: Bool, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
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
    public static func run(_ executable: String, _ arguments: [String], directory: URL? = nil) throws -> (Int32, String) {
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
    public static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/root/.pyenv/shims", "/root/.local/bin", "/usr/local/bin"]
        return directories.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

extension Trait where Self == ConditionTrait {
    /// Enabled as root (and always under CI=true, where a missing root fails the test).
    public static var requiresRoot: Self {
        .enabled(if: TestEnvironment.rootOrCI, "needs root: loads real BPF programs or profiles other processes")
    }
}
