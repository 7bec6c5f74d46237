import Foundation
import ProfileModel
import ProfileStore

/// `lab gate --canary` over the continuous store: the candidate version's last N minutes against the
/// previous version's last N minutes, both as `lab agent` recorded them. Nothing is captured.
public struct StoreCanary: Sendable, Equatable {
    /// One side: a version and the wall-clock span taken from it.
    public struct Side: Sendable, Equatable {
        public var version: String
        public var fromUnixNs: UInt64
        public var toUnixNs: UInt64
    }

    public var baseline: Side
    public var candidate: Side

    /// Picks the sides from what the store holds (CPU rows of `service`): `candidate` defaults to the
    /// version seen last, `baseline` to the one seen before it; each side is its own last `seconds`.
    public static func plan(_ summaries: [WindowSummary], service: String?, candidate: String?, baseline: String?,
                            seconds: Double) throws -> StoreCanary {
        let rows = summaries.filter { $0.kind == .cpu && (service == nil || $0.service == service) && $0.version != nil }
        var lastSeen: [String: UInt64] = [:]
        for row in rows { lastSeen[row.version!] = max(lastSeen[row.version!] ?? 0, row.lastEndUnixNs) }
        let byRecency = lastSeen.sorted { $0.value > $1.value }.map(\.key)
        guard let candidateVersion = candidate ?? byRecency.first else {
            throw FlamelabError.failed("plan", "the store canary", "the store holds no CPU window with a version label\(service.map { " for \($0)" } ?? "")", code: .input)
        }
        guard let baselineVersion = baseline ?? byRecency.first(where: { $0 != candidateVersion }) else {
            throw FlamelabError.failed("plan", "the store canary", "the store holds only version \(candidateVersion): deploy the previous one too, or pass --previous", code: .input)
        }
        func side(_ version: String) throws -> Side {
            guard let end = lastSeen[version] else {
                throw FlamelabError.failed("plan", "the store canary", "the store holds no CPU window of version \(version) (versions: \(byRecency.joined(separator: ", ")))", code: .input)
            }
            let range = Nanoseconds.last(max(1, seconds), endingAt: end)
            return Side(version: version, fromUnixNs: range.lowerBound, toUnixNs: range.upperBound)
        }
        return StoreCanary(baseline: try side(baselineVersion), candidate: try side(candidateVersion))
    }

    /// The two sides' CPU profiles from `store`.
    public func profiles(_ store: ProfileStore, service: String?) throws -> (baseline: Profile, candidate: Profile) {
        // Full-detail windows only: the gate widens its variance by batch means over sample times,
        // which downsampled windows no longer carry.
        func read(_ side: Side) throws -> Profile {
            var query = try StoreSelection(fromUnixNs: side.fromUnixNs, toUnixNs: side.toUnixNs, service: service,
                                           version: side.version, kind: .cpu).query()
            query.runs.traced = true
            return try store.profile(query: query)
        }
        return (try read(baseline), try read(candidate))
    }
}
