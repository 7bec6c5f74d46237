import Foundation
import ProfileModel
import LabRuntime

/// One request seen through the profiles: its CPU and off-CPU samples (by trace id) and its latency.
public struct RequestView: Sendable {
    public var route: String
    public var traceID: TraceID
    public var latencyMs: Double
    public var hz: Int
    public var cpu: Profile
    public var offcpu: Profile

    public var offcpuNs: Int64 { offcpu.totalValue }
    /// On-CPU time estimated from samples: count / hz.
    public var cpuMs: Double { Double(cpu.samples.count) / Double(max(hz, 1)) * 1000 }
    public var cpuWallRatio: Double { latencyMs > 0 ? cpuMs / latencyMs : 0 }

    public struct Summary: Codable, Sendable {
        var route: String
        var traceID: TraceID
        var latencyMs: Double
        var cpuSamples: Int
        var cpuMs: Double
        var offcpuMs: Double
        var cpuWallRatio: Double
    }

    public var summary: Summary {
        Summary(route: route, traceID: traceID, latencyMs: latencyMs, cpuSamples: cpu.samples.count, cpuMs: cpuMs,
                offcpuMs: Double(offcpuNs) / 1e6, cpuWallRatio: cpuWallRatio)
    }

    /// The route's request with the median latency among those the agent saw (by trace id).
    static func pick(route: String, capture: ProfiledRun.Capture, cpu: Profile, offcpu: Profile) throws -> RequestView {
        let seen = Set(cpu.samples.compactMap(\.labels.traceID)).union(offcpu.samples.compactMap(\.labels.traceID))
        let candidates = capture.load.records.filter { $0.route == route && !$0.isError && seen.contains($0.traceID) }
            .sorted { $0.latencyMs < $1.latencyMs }
        guard !candidates.isEmpty else {
            throw FlamelabError("failed to find a profiled \(route) request: no sample carried one of its \(capture.load.records.count) trace ids")
        }
        let chosen = candidates[candidates.count / 2]
        let ids: Set<TraceID> = [chosen.traceID]
        return RequestView(route: route, traceID: chosen.traceID, latencyMs: chosen.serverWallMs ?? chosen.latencyMs, hz: cpu.metadata.hz,
                           cpu: ProfileQueries.filter(cpu, traceIDs: ids), offcpu: ProfileQueries.filter(offcpu, traceIDs: ids))
    }

    /// CPU/wall over all of a route's requests, from the service's clocks and from the profile.
    public struct RatioDistribution: Codable, Sendable {
        var requests: Int
        var serverTimingP50: Double
        var serverTimingP90: Double
        var sampledP50: Double
        var sampledP90: Double
    }

    static func ratios(route: String, capture: ProfiledRun.Capture, cpu: Profile) -> RatioDistribution {
        var samplesByTrace: [TraceID: Int] = [:]
        for sample in cpu.samples { if let id = sample.labels.traceID { samplesByTrace[id, default: 0] += 1 } }
        let records = capture.load.records.filter { $0.route == route && !$0.isError }
        let server = records.compactMap { r -> Double? in
            guard let c = r.serverCPUMs, let w = r.serverWallMs.map({ $0 - (r.serverQueueMs ?? 0) }), w > 0 else { return nil }
            return c / w
        }
        let hz = Double(max(cpu.metadata.hz, 1))
        let sampled = records.map { r -> Double in
            let wall = r.serverWallMs ?? r.latencyMs
            return wall > 0 ? Double(samplesByTrace[r.traceID] ?? 0) / hz * 1000 / wall : 0
        }
        return RatioDistribution(requests: records.count, serverTimingP50: Statistics.median(server) ?? 0,
                                 serverTimingP90: Statistics.quantile(server, 0.9) ?? 0,
                                 sampledP50: Statistics.median(sampled) ?? 0, sampledP90: Statistics.quantile(sampled, 0.9) ?? 0)
    }
}
