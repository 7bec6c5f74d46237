/// A running shop service process as `lab service` records it in its state directory.
public struct ServiceInstance: Codable, Sendable {
    public var pid: Int32
    public var port: UInt16
    public var version: String
    public var startedAtUnix: Double
    public var logPath: String
}
