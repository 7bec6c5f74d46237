import Foundation
import HTTPTypes
import Hummingbird
import LabRuntime
import ProfileModel

/// `lab serve`: the drill's web UI on 127.0.0.1, served from memory. It watches the service's SLO
/// (burn rates from /metrics), records alerts with their slow exemplar trace ids, profiles the service
/// continuously in rolling windows and draws trace-filtered flame graphs naming the top self function.
public struct LabServer: Sendable {
    public let options: ServeOptions

    public init(options: ServeOptions) {
        self.options = options
    }

    /// Serves until interrupted (SIGINT/SIGTERM).
    public func run() async throws {
        let slo = try SLODefinition.load(path: options.sloPath)
        let scale = options.timeScale ?? slo.labTimeScale
        let watcher = SLOWatcher(slo: slo, servicePort: options.servicePort, timeScale: scale)
        let windows = ProfileWindows(options: options)
        windows.start()
        // The SLO clock starts once the agent is attached (or cannot be): loading and verifying its
        // BPF programs takes CPU from the service for a moment, and requests slowed by the profiler
        // starting up would count against the budget as if the service were burning it. A drill
        // once paged 2 s after `lab serve` started (burn 7.4 over its first 50 checkouts).
        let attachDeadline = Date().addingTimeInterval(30)
        while !windows.hasStarted && Date() < attachDeadline { try await Task.sleep(for: .milliseconds(100)) }
        watcher.start()
        defer {
            watcher.stop()
            windows.stop()
        }
        let app = Application(router: Self.router(watcher: watcher, windows: windows),
                              configuration: .init(address: .hostname("127.0.0.1", port: options.port), serverName: "lab-serve"),
                              onServerRunning: { [options] _ in print("lab serve: http://127.0.0.1:\(options.port) (service port \(options.servicePort))") })
        try await app.runService()
    }

    static func router(watcher: SLOWatcher, windows: ProfileWindows) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/") { _, _ -> Response in
            let profiling = windows.lastError ?? "\(windows.windowCount) windows kept (versions: \(windows.versions.joined(separator: ", ")))"
            return html(DrillPages.status(watcher.snapshot, slo: watcher.slo, timeScale: watcher.timeScale, profiling: profiling))
        }
        // Browsers ask for it; an empty answer keeps their consoles free of 404s.
        router.get("/favicon.ico") { _, _ -> Response in Response(status: .noContent) }
        router.get("/alerts/:id") { _, context -> Response in
            guard let id = context.parameters.get("id", as: Int.self), let alert = watcher.alert(id: id) else {
                return html(DrillPages.page(title: "No such alert", body: DrillPages.message("No alert with this id has fired.")), status: .notFound)
            }
            return html(DrillPages.alert(alert))
        }
        router.get("/flamegraph") { request, _ -> Response in
            let query = request.uri.queryParameters
            guard let kind = ProfileKind(rawValue: query.get("kind") ?? "cpu") else {
                return html(DrillPages.page(title: "Flame graph", body: DrillPages.message("kind must be cpu or offcpu.")), status: .badRequest)
            }
            let words = (query.get("trace_id") ?? "").split(whereSeparator: { $0 == "," || $0 == " " })
            let ids = words.compactMap { TraceID(hex: $0) }
            guard ids.count == words.count else {
                let bad = words.first { TraceID(hex: $0) == nil }.map(String.init) ?? ""
                return html(DrillPages.page(title: "Flame graph", body: DrillPages.message("trace_id must be 32 hex digits (comma-separated for several); got \"\(bad.prefix(64))\".")), status: .badRequest)
            }
            let seen = query.get("seen").flatMap(Double.init)
            return html(FlameGraphPages.flameGraph(windows: windows, traceIDs: ids, kind: kind, seenAtUnix: seen))
        }
        router.get("/diff") { request, _ -> Response in
            let query = request.uri.queryParameters
            let kind = ProfileKind(rawValue: query.get("kind") ?? "cpu") ?? .cpu
            return html(FlameGraphPages.diff(windows: windows, base: HTMLText.token(query.get("base") ?? "v1"),
                                             candidate: HTMLText.token(query.get("candidate") ?? "v2"), kind: kind))
        }
        return router
    }

    private static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
