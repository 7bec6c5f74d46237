import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension ShopRoutes {
    /// /metrics and the /admin/* routes the lab drives: fault switches (slow pricing, leak), ground-truth counters, info.
    static func addAdminRoutes(_ router: Router<BasicRequestContext>, _ shop: Shop) {
        router.get("metrics") { request, _ in
            // Content negotiation as Prometheus does it: OpenMetrics (with exemplars) when asked for.
            let openMetrics = request.headers[.accept]?.contains("application/openmetrics-text") ?? false
            var headers = HTTPFields()
            headers[.contentType] = openMetrics ? "application/openmetrics-text; version=1.0.0; charset=utf-8" : "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: shop.metrics.exposition(openMetrics: openMetrics))))
        }
        router.get("admin/fault") { request, _ in try faultRoute(request, shop) }
        router.post("admin/fault") { request, _ in try faultRoute(request, shop) }
        router.get("admin/counters") { request, _ in try countersRoute(request) }
        router.post("admin/counters") { request, _ in try countersRoute(request) }
        router.get("admin/info") { _, _ in
            try json([
                "service": "flamelab-shop", "version": shop.config.version.rawValue,
                "pid": String(getpid()), "python": shop.pythonVersion,
                "counters": String(GroundTruthCounters.shared.enabled),
            ])
        }
    }

    private static func faultRoute(_ request: Request, _ shop: Shop) throws -> Response {
        let q = QueryParameters(request: request)
        let current = shop.fault.current
        if request.method == .post {
            shop.fault.set(share: try q.double("share", default: current.share, range: 0...1),
                           factor: try q.int("factor", default: current.factor, range: 1...1_000))
            shop.sessions.setLeaking(try q.int("leak", default: shop.sessions.isLeaking ? 1 : 0, range: 0...1) == 1)
        }
        let now = shop.fault.current
        return try json(["share": now.share, "factor": Double(now.factor), "leak": shop.sessions.isLeaking ? 1.0 : 0.0,
                         "remembered_carts": Double(shop.sessions.rememberedCount), "remembered_bytes": Double(shop.sessions.rememberedBytes)])
    }

    private static func countersRoute(_ request: Request) throws -> Response {
        let q = QueryParameters(request: request)
        let counters = GroundTruthCounters.shared
        if request.method == .post {
            counters.enabled = try q.int("enable", default: counters.enabled ? 1 : 0, range: 0...1) == 1
            if try q.int("reset", default: 0, range: 0...1) == 1 { counters.resetAll() }
        }
        var out: [String: [String: UInt64]] = [:]
        for counter in counters.all {
            let snap = counter.snapshot
            out[counter.name] = ["calls": snap.calls, "nanoseconds": snap.nanoseconds]
        }
        return try json(out)
    }

    static func json<T: Encodable>(_ value: T) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let body = String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
