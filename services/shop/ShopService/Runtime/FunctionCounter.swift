import Synchronization

/// Calls and total nanoseconds of one planted function: instrumentation ground truth.
public final class FunctionCounter: Sendable {
    public let name: String
    private let calls = Atomic<UInt64>(0)
    private let nanoseconds = Atomic<UInt64>(0)

    public init(name: String) {
        self.name = name
    }

    public func record(nanoseconds elapsed: UInt64) {
        calls.wrappingAdd(1, ordering: .relaxed)
        nanoseconds.wrappingAdd(elapsed, ordering: .relaxed)
    }

    public var snapshot: (calls: UInt64, nanoseconds: UInt64) {
        (calls.load(ordering: .relaxed), nanoseconds.load(ordering: .relaxed))
    }

    public func reset() {
        calls.store(0, ordering: .relaxed)
        nanoseconds.store(0, ordering: .relaxed)
    }
}
