/// What the uprobe timer counted, summed over CPUs.
public struct UprobeTimerTotals: Sendable, Codable, Equatable {
    /// Completed calls (returns matched with an entry).
    public var calls: UInt64
    /// Summed entry-to-return wall time of those calls.
    public var nanoseconds: UInt64
    /// Entries seen (a call in progress at detach has an entry and no return).
    public var entries: UInt64
    /// Returns without a recorded entry (attached mid-call).
    public var missedEntries: UInt64

    public init(calls: UInt64 = 0, nanoseconds: UInt64 = 0, entries: UInt64 = 0, missedEntries: UInt64 = 0) {
        self.calls = calls
        self.nanoseconds = nanoseconds
        self.entries = entries
        self.missedEntries = missedEntries
    }

    /// `self - earlier`, for the counts of one window.
    public func since(_ earlier: UprobeTimerTotals) -> UprobeTimerTotals {
        UprobeTimerTotals(calls: calls &- earlier.calls, nanoseconds: nanoseconds &- earlier.nanoseconds,
                          entries: entries &- earlier.entries, missedEntries: missedEntries &- earlier.missedEntries)
    }
}
