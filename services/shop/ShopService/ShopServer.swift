import Hummingbird
import Logging

/// Runs the shop service until SIGTERM/SIGINT. Binds loopback only.
public enum ShopServer {
    public static func run(config: ShopConfig) async throws {
        let shop = try Shop(config: config)
        var logger = Logger(label: "flamelab-shop")
        logger.logLevel = .notice
        // Profilers implementing OTEP 4947 read the thread contexts of processes that announce them here.
        do { try ThreadTraceContext.publishProcessContext(serviceName: "flamelab-shop") } catch { logger.warning("\(error)") }
        if config.version == .v2 {
            logger.notice("v2: FraudScreening.scoreOrderRisk costs \(Int(shop.checkoutPlan.fraudShareOfWork * 100))% of each checkout's own work (thread CPU)")
        }
        let app = Application(
            router: ShopRoutes.router(for: shop),
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: "flamelab-shop/\(config.version.rawValue)"),
            logger: logger
        )
        try await app.runService()
    }
}
