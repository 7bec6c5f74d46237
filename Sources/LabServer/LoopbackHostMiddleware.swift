import Hummingbird

/// Refuses a request that names another host than this loopback server: a web page elsewhere could
/// otherwise read the profiles through the visitor's browser by pointing its own name at 127.0.0.1
/// (DNS rebinding). A request without a Host (not a browser) passes.
struct LoopbackHostMiddleware<Context: RequestContext>: RouterMiddleware {
    let port: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let host = request.head.authority?.lowercased(), !["127.0.0.1:\(port)", "localhost:\(port)"].contains(host) {
            return Response(status: .forbidden, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: "lab serve answers requests for 127.0.0.1:\(port) only\n")))
        }
        return try await next(request, context)
    }
}
