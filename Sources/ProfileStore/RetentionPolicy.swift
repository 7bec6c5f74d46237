/// How much a continuously written store keeps: windows older than `maxAgeNs` are deleted, and
/// while the file is larger than `maxBytes` the oldest traced windows are merged into coarser ones
/// without trace ids or times (downsampled), then the oldest windows deleted.
public struct RetentionPolicy: Sendable, Equatable {
    public var maxAgeNs: UInt64?
    public var maxBytes: Int64?
    /// How many consecutive windows of one set of labels a downsampling merges into one.
    public var mergeFactor: Int

    public init(maxAgeNs: UInt64? = nil, maxBytes: Int64? = nil, mergeFactor: Int = 6) {
        self.maxAgeNs = maxAgeNs
        self.maxBytes = maxBytes
        self.mergeFactor = max(2, mergeFactor)
    }
}

/// What one application of a `RetentionPolicy` did.
public struct RetentionReport: Sendable, Equatable {
    public var deletedWindows = 0
    public var mergedWindows = 0
    public var bytesBefore: Int64 = 0
    public var bytesAfter: Int64 = 0
}
