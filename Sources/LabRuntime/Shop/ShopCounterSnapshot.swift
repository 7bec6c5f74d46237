/// The service's ground-truth counters (`GET /admin/counters`, read with `ShopClient.counters`): calls
/// and wall nanoseconds of each planted function, timed inside the service around every call.
public struct ShopCounterSnapshot: Sendable, Codable {
    public struct Function: Sendable, Codable {
        public var calls: UInt64
        public var nanoseconds: UInt64
    }

    public var functions: [String: Function]

    public init(functions: [String: Function]) {
        self.functions = functions
    }

    /// `name`'s calls and nanoseconds since `earlier` (zero when absent).
    public func delta(_ name: String, since earlier: ShopCounterSnapshot) -> Function {
        let now = functions[name] ?? Function(calls: 0, nanoseconds: 0)
        let before = earlier.functions[name] ?? Function(calls: 0, nanoseconds: 0)
        return Function(calls: now.calls &- before.calls, nanoseconds: now.nanoseconds &- before.nanoseconds)
    }
}
