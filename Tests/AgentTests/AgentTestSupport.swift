import Foundation
import Testing

/// Shared plumbing for the Agent tests: root gating, locating and driving the test programs.
enum AgentTestSupport {
    /// True when the tests may load BPF. Not root: a skip, except under CI=true where it is a failure.
    /// The directory of the built products (beside the test bundle), or FLAMELAB_PRODUCTS_DIR.
    static var productsDirectory: String {
        if let dir = ProcessInfo.processInfo.environment["FLAMELAB_PRODUCTS_DIR"] { return dir }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = (exe as NSString).deletingLastPathComponent
        // swift test runs <products>/flamelabPackageTests.xctest (a file on Linux).
        if dir.hasSuffix(".xctest") { dir = (dir as NSString).deletingLastPathComponent }
        return dir
    }

    static func product(_ name: String) throws -> String {
        let path = productsDirectory + "/" + name
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestProgramError("failed to find \(name) in \(productsDirectory): build it (swift build --product \(name))")
        }
        return path
    }
}

struct TestProgramError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A running agent-testee that waits for "go" on stdin after printing "ready".
final class Testee {
    let process = Process()
    private let input = Pipe()
    private let output = Pipe()

    var pid: Int32 { process.processIdentifier }

    init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: try AgentTestSupport.product("agent-testee"))
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        try process.run()
    }

    /// Reads one line of the program's output.
    func readLine() -> String {
        var bytes: [UInt8] = []
        while true {
            let chunk = output.fileHandleForReading.readData(ofLength: 1)
            guard let byte = chunk.first, byte != 10 else { break }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func waitUntilReady() throws {
        let line = readLine()
        guard line == "ready" else { throw TestProgramError("failed to start agent-testee: it printed \(line)") }
    }

    func go() {
        input.fileHandleForWriting.write("go\n".data(using: .utf8)!)
    }

    func waitForExit() {
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}
