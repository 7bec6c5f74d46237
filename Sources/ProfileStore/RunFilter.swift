import ProfileModel

/// Selects stored runs. Every field left nil matches all runs.
public struct RunFilter: Hashable, Sendable {
    public var ids: [RunID]?
    public var service: String?
    public var version: String?
    public var kind: ProfileKind?
    /// Runs of this process (and, in a run of several, only its samples).
    public var pid: Int32?
    public var host: String?
    /// Runs whose wall-clock span [start, end] overlaps this window (Unix nanoseconds).
    public var overlappingUnixNs: ClosedRange<UInt64>?
    /// Only windows that keep every sample's time and trace id (true), or only downsampled ones (false).
    public var traced: Bool?

    public init(ids: [RunID]? = nil, service: String? = nil, version: String? = nil, kind: ProfileKind? = nil,
                pid: Int32? = nil, host: String? = nil, overlappingUnixNs: ClosedRange<UInt64>? = nil, traced: Bool? = nil) {
        self.ids = ids
        self.service = service
        self.version = version
        self.kind = kind
        self.pid = pid
        self.host = host
        self.overlappingUnixNs = overlappingUnixNs
        self.traced = traced
    }
}
