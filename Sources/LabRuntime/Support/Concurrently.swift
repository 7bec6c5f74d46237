import Dispatch
import Foundation

/// Runs `body(0)`, `body(1)`, ... `body(count - 1)` on as many threads at once and returns their
/// results in index order: for work that must happen at the same time (two services under load side
/// by side, agents detaching together), not merely in parallel.
public func concurrently<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
    let results = IndexedResults<T>(count: count)
    withoutActuallyEscaping(body) { body in
        let shared = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: count) { index in results.set(index, shared.value(index)) }
    }
    return results.values
}

/// One slot per index, each written once by its own thread.
/// `@unchecked Sendable`: every access holds `lock`.
private final class IndexedResults<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [T?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: T) { lock.withLock { slots[index] = value } }

    var values: [T] { lock.withLock { slots.map { $0! } } }
}

/// A closure handed to `concurrentPerform`'s threads: `concurrently`'s caller waits for all of them.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
