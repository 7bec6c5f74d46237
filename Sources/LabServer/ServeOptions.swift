/// What `lab serve` watches, where it reads profiles and where it listens.
public struct ServeOptions: Sendable {
    /// Port of the web UI on 127.0.0.1.
    public var port: Int
    /// Port of the flamelab-shop service whose SLO is watched.
    public var servicePort: UInt16
    /// Path of the SLO definition (lab/slo/*.json).
    public var sloPath: String
    /// Real seconds per lab second for the burn-rate windows; nil uses the SLO's `labTimeScale`.
    public var timeScale: Double?
    /// The profile store a `lab agent` writes (read only, unless `withAgent`).
    public var storePath: String
    /// Start `lab agent --service` on the store as a child (convenience for one-command drills).
    public var withAgent: Bool
    /// The agent's window length: the child's `--window`, and how long pages wait for a window.
    public var windowSeconds: Double

    public init(port: Int = 8099, servicePort: UInt16 = 8080, sloPath: String, timeScale: Double? = nil,
                storePath: String, withAgent: Bool = false, windowSeconds: Double = 10) {
        self.port = port
        self.servicePort = servicePort
        self.sloPath = sloPath
        self.timeScale = timeScale
        self.storePath = storePath
        self.withAgent = withAgent
        self.windowSeconds = windowSeconds
    }
}
