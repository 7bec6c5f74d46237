import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import LabRuntime
@testable import LabServer
import Testing

/// `lab serve`'s routes over a watcher and profile windows that were never started (no root, no
/// service): every page answers, bad input gets a clear message, nothing is an error page by accident.
@Suite struct LabServerRouteTests {
    /// The lab's own SLO file.
    static let sloPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("lab/slo/checkout.json").path

    static func app() throws -> some ApplicationProtocol {
        let slo = try SLODefinition.load(path: sloPath)
        let options = ServeOptions(port: 0, servicePort: 1, sloPath: "/dev/null")
        let router = LabServer.router(watcher: SLOWatcher(slo: slo, servicePort: 1, timeScale: 60), windows: ProfileWindows(options: options))
        return Application(router: router)
    }

    static func body(_ response: TestResponse) -> String { String(buffer: response.body) }

    @Test func statusPageShowsTheSLOAndNoAlertYet() async throws {
        try await Self.app().test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                let page = Self.body(response)
                #expect(page.contains("checkout-latency") && page.contains("id=\"no-alerts\""))
            }
        }
    }

    @Test func unknownAlertsAndPathsAre404() async throws {
        try await Self.app().test(.router) { client in
            for uri in ["/alerts/1", "/alerts/not-a-number", "/no/such/page"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .notFound, "\(uri)")
                }
            }
            try await client.execute(uri: "/favicon.ico", method: .get) { #expect($0.status == .noContent) }
        }
    }

    @Test func malformedTraceIDsAndKindsGetAClearMessage() async throws {
        try await Self.app().test(.router) { client in
            try await client.execute(uri: "/flamegraph?trace_id=not-hex", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(Self.body(response).contains("trace_id must be 32 hex digits"))
            }
            try await client.execute(uri: "/flamegraph?kind=heap", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(Self.body(response).contains("kind must be cpu or offcpu"))
            }
        }
    }

    @Test("an unknown but valid trace id is an empty result with a message, not an error page")
    func unknownTraceID() async throws {
        try await Self.app().test(.router) { client in
            try await client.execute(uri: "/flamegraph?trace_id=4bf92f3577b34da6a3ce929d0e0e4736&kind=cpu", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Self.body(response).contains("No profile yet"))
            }
            try await client.execute(uri: "/diff?base=v1&candidate=v2", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Self.body(response).contains("No cpu profile of version v1 and v2"))
            }
        }
    }
}
