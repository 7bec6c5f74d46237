/// What a profile is of and how it was taken. Every report states these.
public struct ProfileMetadata: Hashable, Codable, Sendable {
    public var kind: ProfileKind
    /// Sampling frequency for CPU profiles; 0 for off-CPU and for inputs that do not say.
    public var hz: Int
    /// `fp`, `dwarf`, `auto`, or `unknown` for imported profiles.
    public var unwindMode: String
    public var service: String?
    public var version: String?
    /// Wall-clock start and end, nanoseconds since the Unix epoch (0 when unknown).
    public var startUnixNs: UInt64
    public var endUnixNs: UInt64
    /// Samples lost to full ring buffers or maps, as counted by the agent.
    public var dropped: Int64

    public init(kind: ProfileKind = .cpu, hz: Int = 0, unwindMode: String = "unknown", service: String? = nil,
                version: String? = nil, startUnixNs: UInt64 = 0, endUnixNs: UInt64 = 0, dropped: Int64 = 0) {
        self.kind = kind
        self.hz = hz
        self.unwindMode = unwindMode
        self.service = service
        self.version = version
        self.startUnixNs = startUnixNs
        self.endUnixNs = endUnixNs
        self.dropped = dropped
    }
}
