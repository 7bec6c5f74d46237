/// What `lab serve` watches and where it listens.
public struct ServeOptions: Sendable {
    /// Port of the web UI on 127.0.0.1.
    public var port: Int
    /// Port of the flamelab-shop service whose SLO and profile are shown.
    public var servicePort: UInt16
    /// Path of the SLO definition (lab/slo/*.json).
    public var sloPath: String
    /// Real seconds per lab second for the burn-rate windows; nil uses the SLO's `labTimeScale`.
    public var timeScale: Double?
    /// Length of one continuous-profiling window, seconds.
    public var windowSeconds: Double
    /// How many finished windows are kept in memory per profiled service version.
    public var keptWindows: Int

    public init(port: Int = 8099, servicePort: UInt16 = 8080, sloPath: String, timeScale: Double? = nil,
                windowSeconds: Double = 5, keptWindows: Int = 12) {
        self.port = port
        self.servicePort = servicePort
        self.sloPath = sloPath
        self.timeScale = timeScale
        self.windowSeconds = windowSeconds
        self.keptWindows = keptWindows
    }
}
