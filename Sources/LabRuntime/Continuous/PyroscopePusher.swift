import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ProfileModel
import ProfileStore

/// Pushes the windows `lab agent` writes to a Pyroscope server through its HTTP ingest API
/// (`POST /ingest`, https://grafana.com/docs/pyroscope/latest/configure-server/about-server-api/):
/// one gzipped pprof per window, process and kind, with the application name and labels (service,
/// version, host) and the window's start and end in the query. Trace and span ids stay in the samples
/// as pprof labels. Its own thread sends; while the server is down the windows wait (bounded, the
/// oldest dropped and counted) and are retried with a growing pause.
///
/// `@unchecked Sendable`: the queue and counts are behind `lock`.
public final class PyroscopePusher: @unchecked Sendable {
    /// What was sent, what failed and what was dropped.
    public struct Counts: Sendable, Codable, Equatable {
        public var pushed = 0
        public var failedAttempts = 0
        public var dropped = 0
        public var pending = 0
        public var lastError: String?
    }

    /// One profile to push, with the labels its store row has.
    public struct Item: Sendable {
        public var profile: Profile
        public var run: StoredRun
        public init(profile: Profile, run: StoredRun) {
            self.profile = profile
            self.run = run
        }
    }

    public let baseURL: String
    private let capacity: Int
    private let retrySeconds: ClosedRange<Double>
    private let lock = NSCondition()
    /// Queued items, each with its sequence number (to know whether the one sent is still the head).
    private var queue: [(sequence: Int, item: Item)] = []
    private var nextSequence = 0
    private var counts = Counts()
    private var stopping = false
    private var thread: Thread?

    /// A pusher to the server at `baseURL` (e.g. http://pyroscope:4040) holding at most `capacity`
    /// profiles while it is down, retrying after `retrySeconds.lowerBound`, doubling up to the upper bound.
    public init(baseURL: String, capacity: Int = 600, retrySeconds: ClosedRange<Double> = 1...30) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.capacity = max(1, capacity)
        self.retrySeconds = retrySeconds
    }

    public var snapshot: Counts { lock.withLock { counts } }

    public func start() {
        let thread = Thread { [self] in sendLoop() }
        thread.name = "lab-agent-pyroscope"
        self.thread = thread
        thread.start()
    }

    /// Queues `items`; beyond the capacity the oldest queued are dropped and counted.
    public func enqueue(_ items: [Item]) {
        lock.withLock {
            for item in items {
                queue.append((nextSequence, item))
                nextSequence += 1
            }
            let excess = queue.count - capacity
            if excess > 0 {
                queue.removeFirst(excess)
                counts.dropped += excess
            }
            counts.pending = queue.count
            lock.signal()
        }
    }

    /// Stops after trying to send what is queued for up to `seconds`; what is left counts as dropped.
    public func stop(within seconds: Double = 5) {
        let deadline = Date().addingTimeInterval(seconds)
        lock.withLock {
            while !queue.isEmpty && Date() < deadline { _ = lock.wait(until: min(deadline, Date().addingTimeInterval(0.1))) }
            stopping = true
            counts.dropped += queue.count
            queue.removeAll()
            counts.pending = 0
            lock.broadcast()
        }
    }

    private func sendLoop() {
        var pause = retrySeconds.lowerBound
        while true {
            let next: (sequence: Int, item: Item)? = lock.withLock {
                while queue.isEmpty && !stopping { lock.wait() }
                return stopping ? nil : queue.first
            }
            guard let next else { return }
            do {
                try send(next.item)
                pause = retrySeconds.lowerBound
                lock.withLock {
                    // Sent: it is still the head unless the bound dropped it meanwhile.
                    if queue.first?.sequence == next.sequence { queue.removeFirst() }
                    counts.pushed += 1
                    counts.pending = queue.count
                    counts.lastError = nil
                    lock.broadcast()
                }
            } catch {
                lock.withLock {
                    counts.failedAttempts += 1
                    counts.lastError = "\(error)"
                    _ = lock.wait(until: Date().addingTimeInterval(pause))
                }
                pause = min(retrySeconds.upperBound, pause * 2)
            }
        }
    }

    private func send(_ item: Item) throws {
        var request = URLRequest(url: try Self.url(for: item.run, base: baseURL))
        request.httpMethod = "POST"
        request.timeoutInterval = 10
        request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(try PprofCodec.encode(item.profile))
        let answer: BlockingHTTP.Answer
        do { answer = try BlockingHTTP.send(request) } catch {
            throw FlamelabError("failed to push a window to Pyroscope at \(baseURL): \(error.localizedDescription)")
        }
        guard (200..<300).contains(answer.status) else {
            throw FlamelabError("failed to push a window to Pyroscope at \(baseURL): HTTP \(answer.status) \(String(decoding: answer.body.prefix(200), as: UTF8.self))")
        }
    }

    /// `<base>/ingest?name=<app>.<kind>{labels}&from=&until=&format=pprof&sampleRate=&spyName=flamelab`.
    public static func url(for run: StoredRun, base: String) throws -> URL {
        var components = URLComponents(string: base + "/ingest")
        components?.queryItems = [
            URLQueryItem(name: "name", value: applicationName(for: run)),
            URLQueryItem(name: "from", value: String(run.startUnixNs / 1_000_000_000)),
            URLQueryItem(name: "until", value: String((run.endUnixNs + 999_999_999) / 1_000_000_000)),
            URLQueryItem(name: "format", value: "pprof"),
            URLQueryItem(name: "sampleRate", value: String(run.hz)),
            URLQueryItem(name: "spyName", value: "flamelab"),
        ]
        // `+` means a space to many servers' query parsers; PromQL-like names carry none, but labels may.
        let query = components?.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        components?.percentEncodedQuery = query
        guard let url = components?.url else { throw FlamelabError("failed to build the Pyroscope ingest URL from \(base)") }
        return url
    }

    /// Pyroscope's application name with its labels: `flamelab-shop.cpu{service_name=flamelab-shop,version=v2,host=h}`.
    public static func applicationName(for run: StoredRun) -> String {
        let service = run.service ?? (run.command.isEmpty ? "unknown" : run.command)
        var labels = [("service_name", service)]
        if let version = run.version { labels.append(("version", version)) }
        labels.append(("host", run.host))
        if let pid = run.pid { labels.append(("pid", String(pid))) }
        let body = labels.map { "\($0.0)=\(labelValue($0.1))" }.joined(separator: ",")
        return "\(labelValue(service)).\(run.kind == .offcpu ? "off_cpu" : run.kind.rawValue){\(body)}"
    }

    /// The name's syntax reserves `{`, `}`, `,` and `=`: they become `_`.
    static func labelValue(_ text: String) -> String {
        String(text.map { "{},= ".contains($0) ? "_" : $0 })
    }
}
