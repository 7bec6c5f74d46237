import ProfileModel

/// What the store holds for one service version and kind: how many windows and samples, and the
/// wall-clock span they cover. The UI's version table and its "is anything being written" hint.
public struct WindowSummary: Sendable, Equatable {
    public var service: String?
    public var version: String?
    public var kind: ProfileKind
    public var windows: Int
    public var samples: Int64
    public var firstStartUnixNs: UInt64
    public var lastEndUnixNs: UInt64

    public init(service: String?, version: String?, kind: ProfileKind, windows: Int, samples: Int64,
                firstStartUnixNs: UInt64, lastEndUnixNs: UInt64) {
        self.service = service
        self.version = version
        self.kind = kind
        self.windows = windows
        self.samples = samples
        self.firstStartUnixNs = firstStartUnixNs
        self.lastEndUnixNs = lastEndUnixNs
    }
}
