import Foundation
import LabRuntime

/// Closed-loop background load: one connection sending `/tax?lines=N` back to back until stopped,
/// so one service thread is busy in TaxCalculator while the janitor ticks on its own thread.
/// `@unchecked Sendable`: the counters and windows are behind `lock`.
public final class TaxLoad: @unchecked Sendable {
    private let port: UInt16
    private let lines: Int
    private let lock = NSLock()
    private var stopRequested = false
    private var done = 0
    private var failures = 0
    private var lastError: String?
    private var windows: [RequestWindow] = []
    private let finished = DispatchSemaphore(value: 0)

    public init(port: UInt16, lines: Int) {
        self.port = port
        self.lines = lines
    }

    public func start() {
        let thread = Thread { [self] in loop() }
        thread.name = "lab-tax-load"
        thread.start()
    }

    /// Stops the loop and returns (requests answered, failed requests, last error).
    public func stop() -> (requests: Int, failures: Int, lastError: String?) {
        lock.withLock { stopRequested = true }
        finished.wait()
        return lock.withLock { (done, failures, lastError) }
    }

    /// The answered requests that started and ended inside [start, end).
    public func requestWindows(from start: UInt64, to end: UInt64) -> [RequestWindow] {
        lock.withLock { windows.filter { $0.startNs >= start && $0.endNs < end } }
    }

    private func loop() {
        let connection = HTTPClientConnection(port: port)
        defer {
            connection.disconnect()
            finished.signal()
        }
        while !lock.withLock({ stopRequested }) {
            do {
                let start = MonotonicClock.nanoseconds()
                let response = try connection.send(path: "/tax?lines=\(lines)")
                let window = RequestWindow(startNs: start, endNs: MonotonicClock.nanoseconds())
                lock.withLock {
                    if response.status == 200 {
                        done += 1
                        windows.append(window)
                    } else {
                        failures += 1
                        lastError = "HTTP \(response.status)"
                    }
                }
            } catch {
                lock.withLock { failures += 1; lastError = "\(error)" }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
    }
}

/// One request's span on CLOCK_MONOTONIC, as the client saw it.
public struct RequestWindow: Sendable, Codable {
    public var startNs: UInt64
    public var endNs: UInt64
}
