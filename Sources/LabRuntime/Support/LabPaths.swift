import Foundation

/// Where flamelab's parts live: the repository root (found from the executable or the working
/// directory), the built binaries, results/ and the run-state directory.
public struct LabPaths: Sendable {
    public let root: String
    public let binDirectory: String

    public init(root: String? = nil) {
        let exeDir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        self.binDirectory = ProcessInfo.processInfo.environment["FLAMELAB_BIN_DIR"] ?? exeDir
        self.root = root ?? Self.findRoot(from: [FileManager.default.currentDirectoryPath, exeDir]) ?? FileManager.default.currentDirectoryPath
    }

    public var resultsDirectory: String { root + "/results" }
    public var pythonDirectory: String { root + "/services/shop/python" }
    /// pid files and service logs (never committed).
    public var stateDirectory: String { root + "/.flamelab" }
    public var shopExecutable: String { binDirectory + "/flamelab-shop" }
    /// The `lab` CLI itself: scenarios run the agent as its own process (`lab record`), as it is deployed.
    public var labExecutable: String { binDirectory + "/lab" }

    static func findRoot(from starts: [String]) -> String? {
        for start in starts {
            var dir = URL(fileURLWithPath: start)
            for _ in 0..<8 {
                if FileManager.default.fileExists(atPath: dir.appendingPathComponent("services/shop/python/recommendations.py").path) {
                    return dir.path
                }
                dir = dir.deletingLastPathComponent()
            }
        }
        return nil
    }
}
