import Foundation
import HTTPTypes
import Hummingbird
import HTTPTestSupport
@testable import LabRuntime
@testable import LabServer
import ProfileModel
import ProfileStore
import Testing

/// `lab serve`'s routes over a watcher that never scraped and a temporary store (no root, no
/// service, no agent): every page answers, bad input gets a clear message, nothing is an error page
/// by accident, and what the store holds is drawn.
@Suite struct LabServerRouteTests {
    /// The lab's own SLO file.
    static let sloPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("lab/slo/checkout.json").path
    static let slowTrace = TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736")!
    static let otherTrace = TraceID(hex: "00f067aa0ba902b700f067aa0ba902b7")!

    /// A fresh store under a private temporary folder, filled by `fill`.
    static func app(port: Int? = nil, fill: (ProfileStore) throws -> Void = { _ in }) throws -> some ApplicationProtocol {
        let slo = try SLODefinition.load(path: sloPath)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flamelab-serve-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let storePath = directory + "/profiles.sqlite"
        try fill(ProfileStore(path: storePath))
        let profiles = try StoreProfiles(storePath: storePath, windowSeconds: 5)
        let router = LabServer.router(watcher: SLOWatcher(slo: slo, prometheus: PrometheusClient(baseURL: "http://127.0.0.1:1")), profiles: profiles, port: port)
        return Application(router: router)
    }

    /// One window per version ending now: v1 spends its samples in `render`, v2 also in `scoreOrderRisk`,
    /// the slow trace's samples in `applyPairwiseBundleDiscounts`.
    static func fillTwoVersions(_ store: ProfileStore) throws {
        let now = UInt64(Date().timeIntervalSince1970 * 1e9)
        for version in ["v1", "v2"] {
            var profile = Profile(metadata: ProfileMetadata(kind: .cpu, hz: 99, unwindMode: .fp, service: "flamelab-shop", version: version,
                                                            startUnixNs: now - 10_000_000_000, endUnixNs: now))
            let root = Frame(name: "main", module: "flamelab-shop", kind: .app)
            func add(_ leaf: String, _ count: Int, trace: TraceID?) {
                for i in 0..<count {
                    profile.add(stack: [root, Frame(name: "ShopService.\(leaf)", module: "flamelab-shop", kind: .app)], value: 1,
                                labels: SampleLabels(traceID: trace, pid: 42, tid: 42, timestampNs: now - 5_000_000_000 + UInt64(i) * 1_000_000))
                }
            }
            add("Checkout.render", 60, trace: otherTrace)
            if version == "v2" {
                add("FraudScreening.scoreOrderRisk", 30, trace: otherTrace)
                add("PricingEngine.applyPairwiseBundleDiscounts", 20, trace: slowTrace)
            }
            try store.write(profile, command: "flamelab-shop")
        }
    }

    static func body(_ response: TestResponse) -> String { String(buffer: response.body) }

    @Test("a request naming another host than 127.0.0.1 or localhost on the server's port is refused (DNS rebinding)")
    func otherHostsAreRefused() async throws {
        // The live test server listens on a free port, not 8099: the Host its client sends names another port.
        try await Self.app(port: 8099).testLive { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .forbidden)
                #expect(Self.body(response).contains("127.0.0.1:8099 only"))
            }
        }
    }

    @Test func statusPageShowsTheSLONoAlertAndHowToStartAnAgent() async throws {
        try await Self.app().testLive { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                let page = Self.body(response)
                #expect(page.contains("checkout-latency") && page.contains("id=\"no-alerts\""))
                #expect(page.contains("id=\"no-agent\"") && page.contains("lab agent --service"))
                #expect(page.contains("id=\"no-windows\""))
            }
        }
    }

    @Test func unknownAlertsAndPathsAre404() async throws {
        try await Self.app().testLive { client in
            for uri in ["/alerts/1", "/alerts/not-a-number", "/no/such/page"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .notFound, "\(uri)")
                }
            }
            try await client.execute(uri: "/favicon.ico", method: .get) { #expect($0.status == .noContent) }
        }
    }

    @Test func malformedTraceIDsAndKindsGetAClearMessage() async throws {
        let cases: [(uri: String, message: String)] = [
            ("/flamegraph?trace_id=not-hex", "trace_id must be 32 hex digits"),
            ("/flamegraph?kind=heap", "kind must be one of cpu"),
            ("/trace/xyz", "A trace id is 32 hex digits"),
        ]
        try await Self.app().testLive { client in
            for (uri, message) in cases {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .badRequest, "\(uri)")
                    #expect(Self.body(response).contains(message), "\(uri)")
                }
            }
        }
    }

    @Test("a range that cannot be used shows the last 15 minutes with a sentence saying why, never an error page")
    func unusableRangesFallBackToTheDefault() async throws {
        let cases: [(uri: String, message: String)] = [
            ("/flamegraph?last=soon", "last must be a duration"),
            ("/flamegraph?from=yesterday", "from must be a time"),
            ("/flamegraph?from=2026-12-01T10:00:00Z&to=2026-12-01T09:00:00Z", "starts after it ends"),
            ("/flamegraph?from=4102444800", "starts in the future"),
            // Past what 64-bit nanoseconds hold: a message, not an integer trap.
            ("/flamegraph?from=1e11", "starts in the future"),
            ("/flamegraph?from=2600-01-01T00:00", "starts in the future"),
            ("/diff?from=2026-12-01T10:00&to=2026-12-01T09:00", "starts after it ends"),
        ]
        try await Self.app().testLive { client in
            try await client.execute(uri: "/flamegraph?last=1e10h", method: .get) { response in
                #expect(response.status == .ok, "a preset longer than the clock's range selects everything")
            }
            for (uri, message) in cases {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .ok, "\(uri)")
                    let page = Self.body(response)
                    #expect(page.contains(message) && page.contains("id=\"range-notice\"") && page.contains("Showing the last 15m instead"), "\(uri)")
                }
            }
        }
    }

    @Test("an unknown but valid trace id, or an empty store, is an empty result with a message, not an error page")
    func unknownTraceID() async throws {
        try await Self.app().testLive { client in
            try await client.execute(uri: "/flamegraph?trace_id=4bf92f3577b34da6a3ce929d0e0e4736&kind=cpu", method: .get) { response in
                #expect(response.status == .ok)
                let page = Self.body(response)
                #expect(page.contains("id=\"drill-message\"") && page.contains("No cpu sample carries the trace id"))
                #expect(page.contains("data-function=\"\""))
            }
            try await client.execute(uri: "/trace/4bf92f3577b34da6a3ce929d0e0e4736", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Self.body(response).contains("No stored sample carries trace id"))
            }
            try await client.execute(uri: "/diff?base=v1&cand=v2", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Self.body(response).contains("No cpu sample of v1 and v2"))
            }
        }
    }

    @Test("a trace search names the slow trace's hot function and folds the ids")
    func traceSearchNamesTheHotFunction() async throws {
        try await Self.app(fill: Self.fillTwoVersions).testLive { client in
            try await client.execute(uri: "/flamegraph?last=5m&trace_id=\(Self.slowTrace.hex)", method: .get) { response in
                let page = Self.body(response)
                #expect(page.contains("data-function=\"PricingEngine.applyPairwiseBundleDiscounts\"") || page.contains("applyPairwiseBundleDiscounts\""))
                #expect(page.contains("id=\"traces-folded\"") && page.contains("1 trace selected"))
                #expect(page.contains("<option value=\"5m\" selected>"))
            }
            try await client.execute(uri: "/trace/\(Self.slowTrace.hex)?last=5m", method: .get) { response in
                let page = Self.body(response)
                #expect(page.contains("id=\"trace-times\"") && page.contains("20 samples at 99 Hz"))
                #expect(page.contains("applyPairwiseBundleDiscounts"))
            }
        }
    }

    @Test("the version selector and a version diff show what changed")
    func versionSelectionAndDiff() async throws {
        try await Self.app(fill: Self.fillTwoVersions).testLive { client in
            try await client.execute(uri: "/", method: .get) { response in
                let page = Self.body(response)
                #expect(page.contains("id=\"versions\"") && page.contains("id=\"diff-link\""))
            }
            try await client.execute(uri: "/flamegraph?last=15m&version=v1", method: .get) { response in
                let page = Self.body(response)
                #expect(page.contains("Checkout.render"))
                #expect(!page.contains("scoreOrderRisk"))
            }
            try await client.execute(uri: "/diff?base=v1&cand=v2&last=1h", method: .get) { response in
                #expect(response.status == .ok)
                let page = Self.body(response)
                #expect(page.contains("scoreOrderRisk") && page.contains("id=\"diff-form\""))
            }
            // A range that ended before anything was stored is empty, with a message.
            try await client.execute(uri: "/flamegraph?from=2020-01-01T00:00:00Z&to=2020-01-01T01:00:00Z", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Self.body(response).contains("No stored cpu sample"))
            }
        }
    }

    @Test("the alert page lists each exemplar's latency, route, version and CPU/wall, with checkboxes")
    func alertExemplarTable() {
        let exemplar = PrometheusClient.Exemplar(traceID: Self.slowTrace, value: 0.250, unixTime: 1_800_000_000,
                                                 seriesLabels: ["route": "/checkout", "version": "v2", "le": "0.25"], cpuSeconds: 0.200)
        let alert = FiredAlert(id: 1, severity: "page", firedAtUnix: 1_800_000_000, longBurnRate: 20, shortBurnRate: 30,
                               exemplars: [exemplar], exemplarError: nil, active: true)
        let page = DrillPages.alert(alert)
        #expect(page.contains("250.0 ms") && page.contains("/checkout") && page.contains("class=\"version\">v2<"))
        #expect(page.contains("class=\"cpu-wall\">80%<"))
        #expect(page.contains("type=\"checkbox\" class=\"pick\" name=\"trace_id\" value=\"\(Self.slowTrace.hex)\" checked"))
        #expect(page.contains("seen=1800000000"))
    }
}
