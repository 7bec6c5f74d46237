import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The service's HTTP routes. Planted routes run on the RequestExecutor with the trace context published.
public enum ShopRoutes {
    static let traceparentField = HTTPField.Name("traceparent")!
    static let traceIDField = HTTPField.Name("x-trace-id")!
    static let serverTimingField = HTTPField.Name("server-timing")!

    /// Builds the router for `shop`.
    public static func router(for shop: Shop) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("healthz") { _, _ in "ok\n" }
        addPlantedRoutes(router, shop)
        addAdminRoutes(router, shop)
        return router
    }

    private static func addPlantedRoutes(_ router: Router<BasicRequestContext>, _ shop: Shop) {
        router.get("price") { request, _ in
            let items = try QueryParameters(request: request).int("items", default: 4_000, range: 1...20_000)
            return try await planted("price", request, shop) { shop.price(items: items) }
        }
        router.get("inventory") { request, _ in
            let q = QueryParameters(request: request)
            let sku = try q.string("sku", default: "sku-1")
            let delay = try q.int("delay_ms", default: shop.config.inventoryDelayMs, range: 0...10_000)
            return try await planted("inventory", request, shop) { Double(try shop.stockLevel(sku: sku, delayMs: delay)) }
        }
        router.get("tax") { request, _ in
            let lines = try QueryParameters(request: request).int("lines", default: 20_000, range: 1...1_000_000)
            return try await planted("tax", request, shop) { shop.tax(lines: lines) }
        }
        router.get("recommend") { request, _ in
            let size = try QueryParameters(request: request).int("n", default: 20_000, range: 1...2_000_000)
            return try await planted("recommend", request, shop) { Double(try shop.recommend(size: size)) }
        }
        router.get("checkout") { request, _ in
            try await planted("checkout", request, shop) { try shop.checkout(orderID: UInt64.random(in: 1...UInt64.max)) }
        }
        // The async route: its work runs in async functions on the concurrency executor, two awaits
        // below this handler (see AsyncPricing), not on the request pool.
        router.get("quote") { request, _ in
            let rounds = try QueryParameters(request: request).int("rounds", default: 200, range: 1...1_000_000)
            return try await quoteRoute(rounds: rounds, shop)
        }
    }

    /// Runs a planted route's work under the request's trace context and answers with timing headers.
    static func planted(_ route: String, _ request: Request, _ shop: Shop,
                        _ work: @Sendable @escaping () throws -> Double) async throws -> Response {
        let incoming = request.headers[traceparentField].flatMap { TraceContext.parse(traceparent: $0) }
        let context = incoming?.child() ?? TraceContext.random()
        let start = Date()
        var status = HTTPResponse.Status.ok
        var body: String
        var timing = RequestExecutor.Timing(cpuNanoseconds: 0, wallNanoseconds: 0, runQueueNanoseconds: 0)
        do {
            let (value, measured) = try await shop.executor.run(context, work)
            timing = measured
            let reply = ShopReply(route: route, version: shop.config.version.rawValue, traceID: context.traceIDHex,
                                  result: value, cpuMs: Double(measured.cpuNanoseconds) / 1e6, wallMs: Double(measured.wallNanoseconds) / 1e6)
            body = String(decoding: try JSONEncoder().encode(reply), as: UTF8.self) + "\n"
        } catch {
            status = .internalServerError
            body = "{\"error\":\(jsonString(String(describing: error)))}\n"
        }
        let latency = Date().timeIntervalSince(start)
        shop.metrics.record(.init(route: route, traceID: context.traceIDHex, status: Int(status.code), latencySeconds: latency,
                                  cpuSeconds: Double(timing.cpuNanoseconds) / 1e9, unixTime: Date().timeIntervalSince1970))
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[traceparentField] = context.traceparent
        headers[traceIDField] = context.traceIDHex
        headers[serverTimingField] = String(format: "cpu;dur=%.3f, app;dur=%.3f, queue;dur=%.3f",
                                            Double(timing.cpuNanoseconds) / 1e6, Double(timing.wallNanoseconds) / 1e6,
                                            Double(min(timing.runQueueNanoseconds, timing.wallNanoseconds)) / 1e6)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// Answers /quote: awaits `AsyncPricing.quote` directly, so the handler is the quote's async caller.
    static func quoteRoute(rounds: Int, _ shop: Shop) async throws -> Response {
        let start = ContinuousClock.now
        let value = await AsyncPricing.quote(rounds: rounds)
        let elapsed = ContinuousClock.now - start
        let wallMs = Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15
        let reply = ShopReply(route: "quote", version: shop.config.version.rawValue, traceID: "", result: value, cpuMs: 0, wallMs: wallMs)
        // Not in the RED metrics: those carry a trace id exemplar per request, and this route publishes none.
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let body = String(decoding: try JSONEncoder().encode(reply), as: UTF8.self) + "\n"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func jsonString(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
