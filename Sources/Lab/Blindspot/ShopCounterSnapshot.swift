import Foundation

/// The service's ground-truth counters (`GET /admin/counters`): calls and wall nanoseconds of each
/// planted function, timed inside the service around every call.
public struct ShopCounterSnapshot: Sendable, Codable {
    public struct Function: Sendable, Codable {
        public var calls: UInt64
        public var nanoseconds: UInt64
    }

    public var functions: [String: Function]

    /// Reads the counters through `connection`; `enable` first turns them on (and resets them).
    public static func read(_ connection: HTTPClientConnection, enableAndReset: Bool = false) throws -> ShopCounterSnapshot {
        let response = enableAndReset
            ? try connection.send(method: "POST", path: "/admin/counters?enable=1&reset=1")
            : try connection.send(path: "/admin/counters")
        guard response.status == 200 else {
            throw LabError("failed to read the service counters: HTTP \(response.status)")
        }
        do {
            return ShopCounterSnapshot(functions: try JSONDecoder().decode([String: Function].self, from: Data(response.body)))
        } catch {
            throw LabError("failed to read the service counters: \(error)")
        }
    }

    /// `name`'s calls and nanoseconds since `earlier` (zero when absent).
    public func delta(_ name: String, since earlier: ShopCounterSnapshot) -> Function {
        let now = functions[name] ?? Function(calls: 0, nanoseconds: 0)
        let before = earlier.functions[name] ?? Function(calls: 0, nanoseconds: 0)
        return Function(calls: now.calls &- before.calls, nanoseconds: now.nanoseconds &- before.nanoseconds)
    }
}
