/// How `lab load` drives the service.
public struct LoadOptions: Sendable, Codable {
    public enum Mode: Sendable, Codable, Equatable {
        /// Constant arrival rate (requests/s): latency counts from the due time, so a slow server
        /// cannot hide latency by slowing the client (coordinated omission).
        case open(rate: Double)
        /// N connections, each sending its next request when the previous one answers.
        case closed(connections: Int)
    }

    public var mode: Mode
    public var durationSeconds: Double
    public var mix: RouteMix
    public var port: UInt16
    /// Deploy label under test, written into the report.
    public var version: String?
    /// Open loop: at most this many requests in flight (threads).
    public var maxInFlight: Int = 128

    public init(mode: Mode, durationSeconds: Double, mix: RouteMix, port: UInt16, version: String? = nil) {
        self.mode = mode
        self.durationSeconds = durationSeconds
        self.mix = mix
        self.port = port
        self.version = version
    }
}
