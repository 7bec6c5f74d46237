import Foundation
import HTTPTypes
import Hummingbird
import LabRuntime
import ProfileModel

/// `lab serve`: the drill's web UI on 127.0.0.1 over the profile store. It follows the service's SLO in
/// Prometheus (its own, started on loopback, or `--prometheus`), records alerts with their slow exemplars, and draws flame
/// graphs, traces and diffs of any selection of what a `lab agent` writes. It loads no BPF itself;
/// `--with-agent` starts `lab agent --service` as a child for a one-command drill.
public struct LabServer: Sendable {
    public let options: ServeOptions

    public init(options: ServeOptions) {
        self.options = options
    }

    /// Serves until interrupted (SIGINT/SIGTERM).
    public func run() async throws {
        let slo = try SLODefinition.load(path: options.sloPath)
        let agent = try options.withAgent ? AgentProcess(storePath: options.storePath,
                                                         arguments: ["--service", "--window", "\(options.windowSeconds)s"]) : nil
        defer { _ = try? agent?.stop() }
        let profiles = try StoreProfiles(storePath: options.storePath, windowSeconds: options.windowSeconds)
        let prometheus = try options.prometheusURL == nil ? PrometheusServer(
            paths: LabPaths(), scratch: PrivateFile.temporaryDirectory(prefix: "flamelab-serve-prometheus"),
            target: "127.0.0.1:\(options.servicePort)", port: options.prometheusPort, waitForTarget: false) : nil
        defer { prometheus?.stop() }
        let watcher = SLOWatcher(slo: slo, prometheus: prometheus?.client ?? PrometheusClient(baseURL: options.prometheusURL!))
        watcher.start()
        defer { watcher.stop() }
        let app = Application(router: Self.router(watcher: watcher, profiles: profiles, port: options.port),
                              configuration: .init(address: .hostname("127.0.0.1", port: options.port), serverName: "lab-serve"),
                              onServerRunning: { [options] _ in
                                  print("lab serve: http://127.0.0.1:\(options.port) (service port \(options.servicePort), Prometheus \(watcher.prometheus.baseURL), store \(options.storePath)\(agent.map { ", agent pid \($0.pid)" } ?? ""))")
                              })
        try await app.runService()
    }

    /// The routes; with `port`, requests naming another host than 127.0.0.1 or localhost on it are
    /// refused (`LoopbackHostMiddleware`).
    static func router(watcher: SLOWatcher, profiles: StoreProfiles, port: Int? = nil) -> Router<BasicRequestContext> {
        let router = Router()
        if let port { router.add(middleware: LoopbackHostMiddleware(port: port)) }
        router.get("/") { _, _ -> Response in
            await offLoop {
                let section = DrillPages.profilingSection(profiles, nowUnixNs: nowUnixNs())
                return html(DrillPages.status(watcher.snapshot, slo: watcher.slo, profiling: section))
            }
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
            switch PageSelection.parse(query, nowUnixNs: nowUnixNs()) {
            case .failure(let problem): return problemPage("Flame graph", problem)
            case .success(let selection):
                let seen = query.get("seen").flatMap(Double.init)
                return await offLoop { html(FlameGraphPages.flameGraph(profiles: profiles, selection: selection, seenAtUnix: seen)) }
            }
        }
        router.get("/trace/:id") { request, context -> Response in
            guard let text = context.parameters.get("id"), let id = TraceID(hex: text) else {
                return problemPage("Trace", PageProblem("A trace id is 32 hex digits; got \"\((context.parameters.get("id") ?? "").prefix(64))\"."))
            }
            switch PageSelection.parse(request.uri.queryParameters, nowUnixNs: nowUnixNs()) {
            case .failure(let problem): return problemPage("Trace", problem)
            case .success(let selection):
                return await offLoop { html(TracePage.html(id, selection: selection, profiles: profiles, exemplar: watcher.exemplar(traceID: id))) }
            }
        }
        router.get("/diff") { request, _ -> Response in
            let query = request.uri.queryParameters
            switch PageSelection.parse(query, nowUnixNs: nowUnixNs()) {
            case .failure(let problem): return problemPage("Diff", problem)
            case .success(let selection):
                let base = PageSelection.nonEmpty(query.get("base")) ?? "v1"
                let candidate = PageSelection.nonEmpty(query.get("cand")) ?? "v2"
                return await offLoop { html(FlameGraphPages.diff(profiles: profiles, selection: selection, base: base, candidate: candidate)) }
            }
        }
        return router
    }

    /// Builds a page off the server's event loops: store reads block in SQLite, and a slow page
    /// must not hold up the others (the status page reloads every second).
    private static func offLoop(_ build: @escaping @Sendable () -> Response) async -> Response {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                pageSlots.wait()
                defer { pageSlots.signal() }
                continuation.resume(returning: build())
            }
        }
    }

    /// Two pages build at a time: more would only compete for the store and the CPUs, each holding
    /// up to `StoreProfiles.sampleLimit` samples in memory.
    private static let pageSlots = DispatchSemaphore(value: 2)

    private static func nowUnixNs() -> UInt64 { UInt64(Date().timeIntervalSince1970 * 1e9) }

    private static func problemPage(_ title: String, _ problem: PageProblem) -> Response {
        html(DrillPages.page(title: title, body: DrillPages.message(problem.message)), status: .badRequest)
    }

    private static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
