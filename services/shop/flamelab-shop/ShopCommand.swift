import ArgumentParser
import Foundation
import ShopService

/// `flamelab-shop`: the demo service with planted faults. Usually started by `lab service start`.
@main
struct ShopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flamelab-shop",
        abstract: "The flamelab demo shop: planted compute hotspot, blocking wait, sub-interval function, embedded Python.",
        discussion: """
        Routes: /price?items=N  /inventory?delay_ms=N  /tax?lines=N  /recommend?n=N  /checkout
                /metrics  /admin/fault  /admin/counters  /admin/slow?route=checkout  /admin/info
        Examples:
          flamelab-shop --version v1 --port 8080
          flamelab-shop --version v2 --port 8081 --counters --periodic-janitor
        """
    )

    @Option(help: "Deploy label: v1, or v2 (carries the checkout regression).")
    var version: String = "v1"

    @Option(help: "TCP port on 127.0.0.1.")
    var port: Int = 8080

    @Option(help: "Threads that run request work.")
    var workers: Int = 32

    @Option(name: .customLong("inventory-delay-ms"), help: "Default delay of the slow inventory dependency.")
    var inventoryDelayMs: Int = 100

    @Option(name: .customLong("python-dir"), help: "Directory with recommendations.py (default: services/shop/python).")
    var pythonDirectory: String?

    @Flag(help: "Count calls and nanoseconds of the planted functions (ground truth).")
    var counters = false

    @Flag(name: .customLong("periodic-janitor"), help: "Run the 10 ms periodic CacheJanitor sweep.")
    var periodicJanitor = false

    @Option(name: .customLong("fault-share"), help: "Start with the fault switch on for this share of checkouts (0-1).")
    var faultShare: Double = 0

    func validate() throws {
        guard ShopVersion(rawValue: version) != nil else { throw ValidationError("--version must be v1 or v2, got '\(version)'") }
        guard (1...65_535).contains(port) else { throw ValidationError("--port must be 1-65535, got \(port)") }
        guard (1...512).contains(workers) else { throw ValidationError("--workers must be 1-512, got \(workers)") }
        guard (0...1).contains(faultShare) else { throw ValidationError("--fault-share must be in 0...1, got \(faultShare)") }
    }

    func run() async throws {
        var config = ShopConfig(version: ShopVersion(rawValue: version)!, pythonDirectory: pythonDirectory ?? Self.defaultPythonDirectory())
        config.port = port
        config.workerThreads = workers
        config.inventoryDelayMs = inventoryDelayMs
        config.groundTruthCounters = counters
        config.periodicJanitor = periodicJanitor
        config.faultShare = faultShare
        do {
            try await ShopServer.run(config: config)
        } catch {
            FileHandle.standardError.write(Data("flamelab-shop: \(ShopStartupError.describe(error, port: port))\n".utf8))
            throw ExitCode(1)
        }
    }

    /// services/shop/python, found from the executable (.build/<config>/flamelab-shop) or the working directory.
    static func defaultPythonDirectory() -> String {
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<5 {
            let candidate = dir.appendingPathComponent("services/shop/python")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("recommendations.py").path) { return candidate.path }
            dir = dir.deletingLastPathComponent()
        }
        return FileManager.default.currentDirectoryPath + "/services/shop/python"
    }
}
