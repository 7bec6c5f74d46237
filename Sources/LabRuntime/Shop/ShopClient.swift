import Foundation
import ProfileModel
import Synchronization

/// The shop service's admin and metrics endpoints, typed: the one place the lab and `lab serve` build
/// their URLs and decode their answers. One kept-alive loopback connection, used by one call at a
/// time, so a client can be shared between threads.
public final class ShopClient: Sendable {
    /// One finished request as `/admin/slow` lists it (slowest first).
    public struct SlowRequest: Codable, Sendable, Equatable {
        public var route: String
        public var traceID: TraceID
        public var status: Int
        public var latencySeconds: Double
        public var cpuSeconds: Double
        public var unixTime: Double
        /// The version of the service instance that served it (nil from an older shop).
        public var version: String?

        /// The request's own CPU over its wall time (0 for a zero latency).
        public var cpuPerWall: Double { latencySeconds > 0 ? cpuSeconds / latencySeconds : 0 }

        enum CodingKeys: String, CodingKey {
            case route, status, version
            case traceID = "trace_id"
            case latencySeconds = "latency_seconds"
            case cpuSeconds = "cpu_seconds"
            case unixTime = "unix_time"
        }
    }

    public let port: UInt16
    private let connection: Mutex<HTTPClientConnection>

    public init(port: UInt16) {
        self.port = port
        connection = Mutex(HTTPClientConnection(port: port))
    }

    /// The slowest requests of `route` that finished in the last `windowSeconds`.
    public func slowest(route: String, limit: Int = 20, windowSeconds: Double) throws -> [SlowRequest] {
        let window = String(format: "%.1f", max(0.1, windowSeconds))
        return try decode([SlowRequest].self, get("/admin/slow?route=\(route)&limit=\(limit)&window_s=\(window)", what: "the slow \(route) requests"))
    }

    /// Turns the fault switch: `share` of checkouts price a basket `factor` times larger.
    public func setFault(share: Double, factor: Int) throws {
        _ = try get("/admin/fault?share=\(share)&factor=\(factor)", method: "POST", what: "the fault switch")
    }

    /// The Prometheus text of `/metrics`, parsed.
    public func metrics() throws -> MetricsText {
        MetricsText(String(decoding: try get("/metrics", what: "/metrics"), as: UTF8.self))
    }

    /// The ground-truth counters; `enableAndReset` first turns them on and zeroes them.
    public func counters(enableAndReset: Bool = false) throws -> ShopCounterSnapshot {
        let body = enableAndReset
            ? try get("/admin/counters?enable=1&reset=1", method: "POST", what: "the service counters")
            : try get("/admin/counters", what: "the service counters")
        return ShopCounterSnapshot(functions: try decode([String: ShopCounterSnapshot.Function].self, body))
    }

    private func get(_ path: String, method: String = "GET", what: String) throws -> [UInt8] {
        let response: HTTPClientConnection.Response
        do {
            response = try connection.withLock { try $0.send(method: method, path: path) }
        } catch {
            throw FlamelabError("failed to read \(what) from 127.0.0.1:\(port): \(error)")
        }
        guard response.status == 200 else { throw FlamelabError("failed to read \(what) from 127.0.0.1:\(port): HTTP \(response.status)") }
        return response.body
    }

    private func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8]) throws -> T {
        do { return try JSONDecoder().decode(type, from: Data(body)) } catch {
            throw FlamelabError("failed to decode the service's answer: \(error)")
        }
    }
}
