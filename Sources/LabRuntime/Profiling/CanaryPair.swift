import ProfileModel

/// Canary CPU profiles of two versions under the same open-loop checkout load, captured one after the other.
public struct CanaryPair: Sendable {
    /// Checkout requests per second in every canary: twice the lab's steady load, still far below
    /// saturation (about 0.4 of one core), so a canary collects its samples in half the time.
    public static let defaultRate = 80.0

    public var base: ProfiledRun.Capture
    public var candidate: ProfiledRun.Capture

    /// The checkout load every canary capture uses: open loop, below saturation, so latency is honest.
    public static func load(rate: Double, seconds: Double) throws -> LoadOptions {
        LoadOptions(mode: .open(rate: rate), durationSeconds: seconds, mix: try RouteMix.parse("checkout"), port: 0)
    }

    /// Captures `baseVersion` then `candidateVersion` on `port` with the agent at `hz` (the
    /// continuous agent's store when `session` is given: its rate wins).
    public static func capture(baseVersion: String, candidateVersion: String, port: UInt16, hz: Int, load: LoadOptions,
                               controller: ServiceController, session: StoreAgentSession? = nil) throws -> CanaryPair {
        func one(_ version: String) throws -> ProfiledRun.Capture {
            var run = ProfiledRun(version: version, port: port)
            run.hz = session?.hz ?? hz
            run.session = session
            return try run.capture(load: load, controller: controller)
        }
        return CanaryPair(base: try one(baseVersion), candidate: try one(candidateVersion))
    }
}
