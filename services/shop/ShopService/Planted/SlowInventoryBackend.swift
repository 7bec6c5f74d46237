import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The slow dependency: a loopback TCP server that answers each `<delay_ms> <sku>` line after
/// delay_ms milliseconds. It lives in the service process so the lab needs no extra daemon; the
/// request thread still makes a real blocking read on a real socket.
/// `@unchecked Sendable`: `port` and `listener` are set in `start()` before any request thread reads them.
public final class SlowInventoryBackend: @unchecked Sendable {
    public private(set) var port: UInt16 = 0
    private var listener: Int32 = -1
    private let replies = DispatchQueue(label: "inventory-backend.replies", attributes: .concurrent)

    public init() {}

    /// Binds 127.0.0.1 on an ephemeral port and starts accepting.
    public func start() throws {
        listener = try LoopbackSocket.listen()
        port = try LoopbackSocket.localPort(listener)
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "inventory-backend"
        thread.start()
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            serve(client)
        }
    }

    private func serve(_ client: Int32) {
        guard let line = LoopbackSocket.readLine(client) else {
            close(client)
            return
        }
        let fields = line.split(separator: " ")
        let delayMs = fields.first.flatMap { Int($0) } ?? 100
        let sku = fields.count > 1 ? String(fields[1]) : "unknown"
        let stock = abs(sku.hashValue % 500)
        replies.asyncAfter(deadline: .now() + .milliseconds(max(0, delayMs))) {
            LoopbackSocket.writeAll(client, "\(sku) \(stock)\n")
            close(client)
        }
    }
}
