/// What `lab serve` watches, where it reads profiles and where it listens.
public struct ServeOptions: Sendable {
    /// Port of the web UI on 127.0.0.1.
    public var port: Int
    /// Port of the flamelab-shop service whose SLO is watched.
    public var servicePort: UInt16
    /// Path of the SLO definition (lab/slo/*.json).
    public var sloPath: String
    /// A running Prometheus that scrapes the service and evaluates lab/slo/checkout.rules.yml; nil
    /// starts one on 127.0.0.1:`prometheusPort` for the life of the server.
    public var prometheusURL: String?
    public var prometheusPort: UInt16
    /// The profile store a `lab agent` writes (read only, unless `withAgent`).
    public var storePath: String
    /// Start `lab agent --service` on the store as a child (convenience for one-command drills).
    public var withAgent: Bool
    /// The agent's window length: the child's `--window`, and how long pages wait for a window.
    public var windowSeconds: Double

    public init(port: Int = 8099, servicePort: UInt16 = 8080, sloPath: String, prometheusURL: String? = nil, prometheusPort: UInt16 = 19090,
                storePath: String, withAgent: Bool = false, windowSeconds: Double = 10) {
        self.port = port
        self.servicePort = servicePort
        self.sloPath = sloPath
        self.prometheusURL = prometheusURL
        self.prometheusPort = prometheusPort
        self.storePath = storePath
        self.withAgent = withAgent
        self.windowSeconds = windowSeconds
    }
}
