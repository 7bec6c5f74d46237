import Foundation
import ProfileModel

/// Drives the shop service with open- or closed-loop load. Every request carries a fresh W3C
/// `traceparent`; the trace ids are kept with the latencies so later steps can pick the slow ones.
/// `@unchecked Sendable`: the records and the stop flag are behind `lock`; workers only append through it.
public final class LoadGenerator: @unchecked Sendable {
    private let options: LoadOptions
    private let lock = NSLock()
    private var records: [RequestRecord] = []
    private var nextIndex = 0
    private var stopRequested = false

    public init(options: LoadOptions) {
        self.options = options
    }

    /// Runs the load; `progress` is called about once a second with (elapsed s, requests done, errors).
    public func run(progress: ((Double, Int, Int) -> Void)? = nil) -> LoadResult {
        let start = ThreadClock.now()
        let threads: Int
        switch options.mode {
        case .open(let rate): threads = min(options.maxInFlight, max(4, Int(rate * 0.5)))
        case .closed(let connections): threads = connections
        }
        let group = DispatchGroup()
        for worker in 0..<threads {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                workerLoop(worker: worker, start: start)
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        while group.wait(timeout: .now() + 1) == .timedOut {
            let (done, errors) = counts()
            progress?(ThreadClock.now() - start, done, errors)
        }
        let elapsed = min(ThreadClock.now() - start, options.durationSeconds)
        return LoadResult(options: options, seconds: elapsed, records: lock.withLock { records.sorted { $0.startOffsetSeconds < $1.startOffsetSeconds } })
    }

    /// Ends the run early: workers finish their current request and send no more.
    public func stop() {
        lock.withLock { stopRequested = true }
    }

    private func counts() -> (Int, Int) {
        lock.withLock { (records.count, records.filter(\.isError).count) }
    }

    private func workerLoop(worker: Int, start: Double) {
        let connection = HTTPClientConnection(port: options.port)
        var rng = SystemRandomNumberGenerator()
        while let (due, index) = nextDue(start: start) {
            let now = ThreadClock.now() - start
            if due > now { Thread.sleep(forTimeInterval: due - now) }
            let route = options.mix.pick(index.map(Self.spread) ?? Double.random(in: 0..<1, using: &rng))
            let record = send(route: route, due: due, start: start, connection: connection)
            lock.withLock { records.append(record) }
        }
    }

    /// Open loop: the i-th request's route comes from i alone (golden-ratio sequence), so two runs of the
    /// same rate and length send the same routes in the same order, and a comparison between runs is not
    /// blurred by a different mix. The sequence covers [0, 1) evenly at every length.
    static func spread(_ index: Int) -> Double {
        (Double(index) * 0.618_033_988_749_894_9).truncatingRemainder(dividingBy: 1)
    }

    /// The due time of the next request (and its index in open loop), or nil when the run is over.
    private func nextDue(start: Double) -> (Double, Int?)? {
        if lock.withLock({ stopRequested }) { return nil }
        switch options.mode {
        case .open(let rate):
            let index = lock.withLock { () -> Int in
                defer { nextIndex += 1 }
                return nextIndex
            }
            let due = Double(index) / rate
            return due < options.durationSeconds ? (due, index) : nil
        case .closed:
            let now = ThreadClock.now() - start
            return now < options.durationSeconds ? (now, nil) : nil
        }
    }

    private func send(route: String, due: Double, start: Double, connection: HTTPClientConnection) -> RequestRecord {
        let traceID = TraceID.random()
        let traceparent = TraceParent.header(trace: traceID, span: SpanID.random())
        var record = RequestRecord(route: route, traceID: traceID, startOffsetSeconds: due, latencyMs: 0, status: 0)
        do {
            let response = try connection.send(path: options.mix.path(of: route), headers: ["traceparent": traceparent])
            record.status = response.status
            if let timing = response.headers["server-timing"] {
                (record.serverCPUMs, record.serverWallMs, record.serverQueueMs) = Self.parseServerTiming(timing)
            }
        } catch {
            record.error = String(describing: error)
        }
        record.latencyMs = (ThreadClock.now() - start - due) * 1000
        return record
    }

    /// Reads `cpu;dur=X, app;dur=Y, queue;dur=Z` (milliseconds).
    static func parseServerTiming(_ header: String) -> (cpu: Double?, app: Double?, queue: Double?) {
        var values: [String: Double] = [:]
        for metric in header.split(separator: ",") {
            let parts = metric.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let name = parts.first, let dur = parts.first(where: { $0.hasPrefix("dur=") }) else { continue }
            values[name] = Double(dur.dropFirst(4))
        }
        return (values["cpu"], values["app"], values["queue"])
    }
}
