import Hummingbird
import Logging
import NIOCore

extension ApplicationProtocol {
    /// Serves this application's responder on 127.0.0.1 at a port the kernel picks, runs `body` with a
    /// client for it, and stops the server. A stand-in for HummingbirdTesting's `.live` mode that does
    /// not build its HTTP client (AsyncHTTPClient brings TLS, two copies of BoringSSL and X.509 into
    /// the test build: minutes of every clean `make test`).
    public func testLive<Value: Sendable>(_ body: @escaping @Sendable (LiveTestClient) async throws -> Value) async throws -> Value {
        let ports = AsyncStream<Int?>.makeStream()
        // Stopping by cancellation makes the server log its channels' closing as errors: not the test's.
        var logger = Logger(label: "flamelab-live-test")
        logger.logLevel = .critical
        let server = Application(responder: try await responder,
                                 configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
                                 onServerRunning: { channel in
                                     ports.continuation.yield(channel.localAddress?.port)
                                     ports.continuation.finish()
                                 },
                                 logger: logger)
        return try await withThrowingTaskGroup(of: Value?.self) { group in
            group.addTask {
                // A server that cannot start ends the wait for its port too.
                defer { ports.continuation.finish() }
                try await server.runService(gracefulShutdownSignals: [])
                return nil
            }
            var iterator = ports.stream.makeAsyncIterator()
            let port = await iterator.next() ?? nil
            group.addTask { try await body(LiveTestClient(port: port)) }
            defer { group.cancelAll() }
            while let finished = try await group.next() {
                if let value = finished { return value }
            }
            throw CancellationError()
        }
    }
}
