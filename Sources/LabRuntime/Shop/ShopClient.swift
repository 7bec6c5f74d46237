import Foundation
import ProfileModel
import Synchronization

/// The shop service's admin endpoints, typed: the one place the lab and `lab serve` build
/// their URLs and decode their answers. One kept-alive loopback connection, used by one call at a
/// time, so a client can be shared between threads.
public final class ShopClient: Sendable {
    public let port: UInt16
    private let connection: Mutex<HTTPClientConnection>

    public init(port: UInt16) {
        self.port = port
        connection = Mutex(HTTPClientConnection(port: port))
    }

    /// Turns the fault switch: `share` of checkouts price a basket `factor` times larger.
    public func setFault(share: Double, factor: Int) throws {
        _ = try get("/admin/fault?share=\(share)&factor=\(factor)", method: "POST", what: "the fault switch")
    }

    /// Turns the planted leak on (every checkout's cart is kept forever) or off (and let go).
    public func setLeak(_ on: Bool) throws {
        _ = try get("/admin/fault?leak=\(on ? 1 : 0)", method: "POST", what: "the leak switch")
    }

    /// The leak's state: whether it is on, and the carts it keeps with their bytes (the truth an
    /// in-use profile's estimate is checked against).
    public func leakState() throws -> ShopLeakState {
        try decode(ShopLeakState.self, try get("/admin/fault", what: "the leak switch"))
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
