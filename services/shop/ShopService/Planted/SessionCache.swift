import Synchronization

/// The planted memory leak: with the leak switch on, every checkout's cart is "remembered for the
/// session" and never evicted, so resident memory grows steadily under load while CPU barely moves
/// (copying a cart is microseconds next to pricing it). Off, nothing is kept.
public final class SessionCache: Sendable {
    /// One remembered cart line: 64 bytes, as a real cart keeps more than a SKU and a count.
    struct CartLine {
        var sku: UInt64
        var quantity: Int
        var unitPrice: Double
        var discount: Double
        var tax: Double
        var addedAt: Double
        var warehouse: UInt64
        var flags: UInt64
    }

    /// What one checkout leaves behind: its lines and the SKUs viewed in the session, about 120 KiB.
    struct RememberedCart {
        var orderID: UInt64
        var lines: [CartLine]
        var viewedSKUs: [UInt64]
    }

    static let viewedSKUCount = 8_192
    private let leaking = Atomic<Bool>(false)
    private let carts = Mutex<[RememberedCart]>([])

    public init() {}

    /// Turns the leak on or off; off also lets go of what was kept.
    public func setLeaking(_ on: Bool) {
        leaking.store(on, ordering: .relaxed)
        if !on { carts.withLock { $0.removeAll() } }
    }

    public var isLeaking: Bool { leaking.load(ordering: .relaxed) }

    /// Carts kept so far.
    public var rememberedCount: Int { carts.withLock { $0.count } }

    /// Bytes the kept carts' arrays hold (their element storage): the leak's true size, against which
    /// an in-use profile's estimate is checked.
    public var rememberedBytes: Int {
        carts.withLock { kept in
            kept.reduce(0) { $0 + $1.lines.capacity * MemoryLayout<CartLine>.stride + $1.viewedSKUs.capacity * MemoryLayout<UInt64>.stride }
        }
    }

    /// Keeps this checkout's cart forever when the leak is on. The arrays are written in full, so
    /// their pages are resident (an untouched allocation would not grow RSS).
    @inline(never)
    public func rememberCart(orderID: UInt64, itemCount: Int) {
        guard isLeaking else { return }
        var lines = [CartLine]()
        lines.reserveCapacity(itemCount)
        for i in 0..<itemCount {
            let sku = orderID &+ UInt64(i)
            lines.append(CartLine(sku: sku, quantity: i % 5 + 1, unitPrice: Double(i % 97) + 0.99, discount: 0,
                                  tax: 0.0825, addedAt: Double(i), warehouse: sku % 7, flags: 0))
        }
        let viewed = (0..<Self.viewedSKUCount).map { orderID &* 31 &+ UInt64($0) }
        carts.withLock { $0.append(RememberedCart(orderID: orderID, lines: lines, viewedSKUs: viewed)) }
    }
}
