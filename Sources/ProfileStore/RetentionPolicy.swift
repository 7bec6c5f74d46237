/// How much a continuously written store keeps. Windows older than `maxAgeNs` are deleted. While
/// the store's data is larger than `maxBytes`, the oldest traced windows that ended more than
/// `fullDetailNs` ago are merged into coarser ones without trace ids or times (downsampled), oldest
/// first; when none is left to merge, the oldest windows are deleted. So the recent past keeps every
/// sample's trace id and time, older history keeps its stacks and values, and the oldest goes first.
public struct RetentionPolicy: Sendable, Equatable {
    public var maxAgeNs: UInt64?
    public var maxBytes: Int64?
    /// How many consecutive windows of one set of labels a downsampling merges into one.
    public var mergeFactor: Int
    /// Windows that ended less than this long ago are never downsampled (only deleted, oldest first,
    /// if they alone exceed `maxBytes`).
    public var fullDetailNs: UInt64

    /// One hour of full detail: an incident's drill-down (trace ids, times) is within the hour.
    public static let defaultFullDetailNs: UInt64 = 3_600_000_000_000

    public init(maxAgeNs: UInt64? = nil, maxBytes: Int64? = nil, mergeFactor: Int = 6, fullDetailNs: UInt64 = RetentionPolicy.defaultFullDetailNs) {
        self.maxAgeNs = maxAgeNs
        self.maxBytes = maxBytes
        self.mergeFactor = max(2, mergeFactor)
        self.fullDetailNs = fullDetailNs
    }
}

/// What one application of a `RetentionPolicy` did.
public struct RetentionReport: Sendable, Equatable {
    public var deletedWindows = 0
    public var mergedWindows = 0
    /// The store's data (write-ahead log not counted) before and after.
    public var bytesBefore: Int64 = 0
    public var bytesAfter: Int64 = 0
    /// Windows whose stack list could not be decoded (a damaged file), deleted so that retention
    /// keeps working.
    public var malformedWindows = 0
    /// The pass stopped at its time budget still over the size limit: the next pass goes on.
    public var unfinished = false
}
