import Foundation

/// How a shop service process is started. Every field has a flag in `flamelab-shop --help`.
public struct ShopConfig: Sendable {
    /// The deploy label: `v1` or `v2`. v2 carries the planted checkout regression.
    public var version: ShopVersion
    /// Always loopback: profiles and metrics are security-sensitive.
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// Threads that run request work (so blocking calls never block the event loop).
    public var workerThreads: Int = 32
    /// The slow inventory dependency's default answer delay.
    public var inventoryDelayMs: Int = 100
    /// Directory holding recommendations.py.
    public var pythonDirectory: String
    /// Count calls and nanoseconds of the planted functions (ground truth for the blind-spot scenario).
    public var groundTruthCounters: Bool = false
    /// Run the 10 ms periodic CacheJanitor sweep (the shape that aliases with a 100 Hz sampler).
    public var periodicJanitor: Bool = false
    /// Initial fault switch: share of checkout requests whose pricing is made much slower.
    public var faultShare: Double = 0

    public init(version: ShopVersion = .v1, pythonDirectory: String) {
        self.version = version
        self.pythonDirectory = pythonDirectory
    }
}

/// The deploy under test. A separate process start per version, labelled everywhere.
public enum ShopVersion: String, Sendable, CaseIterable {
    case v1, v2
}
