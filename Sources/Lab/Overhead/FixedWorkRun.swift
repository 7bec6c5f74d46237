/// One workload's fixed-work measurement as written to results/overhead/fixed-work.json: every unit's
/// CPU, and each configuration's estimates, so that any figure can be recomputed from the data.
struct FixedWorkRun: Codable, Sendable {
    var workload: FixedWorkload.Kind
    /// CPU seconds of one unit, as calibrated, and the unit's size (rows or iterations).
    var unitSeconds: Double
    var unitSize: Int
    var cpu: Int
    var blocks: Int
    /// Blocks of the resolving trials only, after those (absent in runs made before they existed).
    var resolvingBlocks: Int?
    /// Units per twin in each trial, and in each trial of the controls and of the rates below 999 Hz.
    var pairs: Int
    var resolvingPairs: Int
    /// The seed of the per-block shuffles and of the bootstrap.
    var seed: UInt64
    var results: [FixedWorkMeasurement.Result]
    var trials: [FixedWorkMeasurement.Trial]

    var control: FixedWorkMeasurement.Result? { results.first { $0.configuration == .control } }

    func result(_ configuration: OverheadConfiguration) -> FixedWorkMeasurement.Result? {
        results.first { $0.configuration == configuration }
    }
}
