import Foundation

/// The memory drill's measured timeline, in seconds since the load started.
struct MemoryDrillTimeline: Codable {
    var leakAt: Double
    var alertAt: Double?
    var namedAt: Double?
    /// When the second in-use snapshot was taken (the first is taken at the alert).
    var secondSnapshotAt: Double?
    /// Unix time and CLOCK_MONOTONIC nanoseconds of the load's start (the timeline's zero).
    var startUnixTime: Double
    var startMonotonicNs: UInt64
    /// CLOCK_MONOTONIC nanoseconds when the leak was switched on (the leak window's start).
    var leakMonotonicNs: UInt64
    /// The alert as Prometheus evaluated it: its name and PromQL.
    var alertName: String?
    var alertQuery: String?
    /// The function code named from the first in-use snapshot, and its share of the in-use bytes.
    var namedFunction: String?
    var namedShare: Double?

    var leakToAlertSeconds: Double? { alertAt.map { $0 - leakAt } }
    var alertToNamedSeconds: Double? { namedAt.flatMap { n in alertAt.map { n - $0 } } }
}
