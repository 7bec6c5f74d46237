import Foundation
import Hummingbird
import HTTPTestSupport
import LabRuntime
import ProfileModel
import ProfileStore
import Synchronization
import Testing

/// `lab agent --push-pyroscope`: what a receiver implementing Pyroscope's documented ingest API gets
/// (no Pyroscope server can be installed here). Path, parameters, labels and content type are
/// checked against the API; every body is decoded by flamelab's pprof reader.
@Suite(.serialized) struct PyroscopePushTests {
    struct Received: Sendable {
        var path: String
        var query: [String: String]
        var contentType: String?
        var body: [UInt8]
    }

    /// What the receiver got, shared with its route.
    final class Inbox: Sendable {
        let requests = Mutex<[Received]>([])
        var count: Int { requests.withLock { $0.count } }
        var first: Received? { requests.withLock { $0.first } }
    }

    /// POST /ingest, recorded; the first `failFirst` requests are answered 503 (a server starting up).
    static func receiver(_ received: Inbox, failFirst: Int = 0) -> some ApplicationProtocol {
        let router = Router()
        router.post("/ingest") { request, _ -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 16 << 20)
            let items = URLComponents(string: "http://receiver" + request.uri.description)?.queryItems ?? []
            let query = Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
            let count = received.requests.withLock { all in
                all.append(Received(path: request.uri.path, query: query, contentType: request.headers[.contentType], body: Array(buffer: body)))
                return all.count
            }
            return count <= failFirst ? .serviceUnavailable : .ok
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    static let trace = TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736")!
    static let start: UInt64 = 1_796_326_000_000_000_000

    static func item(version: String = "v2") -> PyroscopePusher.Item {
        var profile = Profile(metadata: ProfileMetadata(kind: .cpu, hz: 99, unwindMode: .fp, service: "flamelab-shop", version: version,
                                                        startUnixNs: start, endUnixNs: start + 10_000_000_000))
        let main = Frame(name: "main", module: "flamelab-shop", kind: .app)
        let hot = Frame(name: "ShopService.PricingEngine.applyPairwiseBundleDiscounts", module: "flamelab-shop", kind: .app)
        for i in 0..<3 {
            profile.add(stack: [main, hot], value: 1, labels: SampleLabels(traceID: i == 0 ? trace : nil, pid: 42, tid: 42, timestampNs: start + UInt64(i) * 1_000_000))
        }
        let run = StoredRun(id: RunID(0), service: "flamelab-shop", version: version, pid: 42, kind: .cpu, hz: 99, unwindMode: .fp,
                            startUnixNs: start, endUnixNs: start + 10_000_000_000, dropped: 0, host: "host-1", command: "flamelab-shop",
                            sampleCount: 0, totalValue: 0)
        return PyroscopePusher.Item(profile: profile, run: run)
    }

    static func wait(until condition: () -> Bool) async throws {
        for _ in 0..<200 where !condition() { try await Task.sleep(for: .milliseconds(50)) }
    }

    @Test func aWindowArrivesAsTheIngestAPIDocumentsIt() async throws {
        let received = Inbox()
        try await Self.receiver(received).testLive { client in
            let pusher = PyroscopePusher(baseURL: "http://127.0.0.1:\(try #require(client.port))")
            pusher.start()
            pusher.enqueue([Self.item()])
            try await Self.wait { received.count == 1 }
            pusher.stop()
            let request = try #require(received.first)
            #expect(request.path == "/ingest")
            #expect(request.query["name"] == "flamelab-shop.cpu{service_name=flamelab-shop,version=v2,host=host-1,pid=42}")
            #expect(request.query["from"] == "1796326000" && request.query["until"] == "1796326010")
            #expect(request.query["format"] == "pprof" && request.query["sampleRate"] == "99" && request.query["spyName"] == "flamelab")
            #expect(request.contentType == "application/octet-stream")
            let profile = try PprofCodec.decode(request.body)
            #expect(profile.samples.count == 3)
            #expect(profile.samples.compactMap(\.labels.traceID) == [Self.trace])
            #expect(pusher.snapshot.pushed == 1 && pusher.snapshot.failedAttempts == 0)
        }
    }

    @Test func aServerThatRefusesIsRetriedUntilItAccepts() async throws {
        let received = Inbox()
        try await Self.receiver(received, failFirst: 2).testLive { client in
            let pusher = PyroscopePusher(baseURL: "http://127.0.0.1:\(try #require(client.port))", retrySeconds: 0.05...0.2)
            pusher.start()
            pusher.enqueue([Self.item()])
            try await Self.wait { pusher.snapshot.pushed == 1 }
            pusher.stop()
            #expect(received.count == 3)
            #expect(pusher.snapshot.failedAttempts == 2 && pusher.snapshot.pushed == 1 && pusher.snapshot.dropped == 0)
        }
    }

    @Test func aServerThatIsDownCostsCountedDropsBeyondTheBound() async throws {
        // Port 1 (tcpmux): nothing listens, so every attempt is refused.
        let pusher = PyroscopePusher(baseURL: "http://127.0.0.1:1", capacity: 2, retrySeconds: 0.05...0.1)
        pusher.start()
        pusher.enqueue((0..<5).map { _ in Self.item() })
        #expect(pusher.snapshot.dropped == 3 && pusher.snapshot.pending == 2)
        try await Self.wait { pusher.snapshot.failedAttempts >= 2 }
        #expect(pusher.snapshot.lastError?.contains("failed to push a window to Pyroscope at http://127.0.0.1:1") == true)
        pusher.stop(within: 0.2)
        #expect(pusher.snapshot.pushed == 0 && pusher.snapshot.dropped == 5 && pusher.snapshot.pending == 0)
    }
}
