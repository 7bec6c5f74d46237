/// What a continuous agent profiles: named pids, the shop service instances `lab service` starts
/// (followed across deploys), or the whole machine.
public enum ContinuousTargets: Sendable, Equatable {
    case pids([Int32])
    case service
    case all
}
