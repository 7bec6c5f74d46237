#if canImport(Glibc)
import Glibc
#endif

/// The I/O-bound path: a synchronous read from the slow inventory dependency. The request's thread
/// blocks in read(2) inside `fetchStockLevel`, using almost no CPU.
public struct InventoryClient: Sendable {
    public let backendPort: UInt16

    public init(backendPort: UInt16) {
        self.backendPort = backendPort
    }

    /// Asks the backend for the stock of `sku`; the backend answers after `delayMs`.
    @inline(never)
    public func fetchStockLevel(sku: String, delayMs: Int) throws -> Int {
        let counters = GroundTruthCounters.shared
        return try counters.measure(counters.fetchStockLevel) {
            let fd = try LoopbackSocket.connect(port: backendPort)
            defer { close(fd) }
            LoopbackSocket.writeAll(fd, "\(delayMs) \(sku)\n")
            guard let reply = LoopbackSocket.readLine(fd), let stock = reply.split(separator: " ").last.flatMap({ Int($0) }) else {
                throw LoopbackSocket.SocketError(description: "failed to read stock level for \(sku): malformed or empty reply")
            }
            return stock
        }
    }
}
