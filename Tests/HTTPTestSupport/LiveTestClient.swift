import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPTypes
import NIOCore

/// Sends requests to a test server on 127.0.0.1 through Foundation's URLSession (asynchronously: a
/// blocking read would hold one of the few cooperative threads the server's handlers also need).
public struct LiveTestClient: Sendable {
    /// The port the server listens on.
    public let port: Int?

    /// Sends `method uri` with `headers` and `body`, and hands the response to `check`.
    public func execute<Value>(uri: String, method: HTTPRequest.Method, headers: HTTPFields = [:], body: ByteBuffer? = nil,
                               _ check: (TestResponse) async throws -> Value) async throws -> Value {
        guard let port, let url = URL(string: "http://127.0.0.1:\(port)\(uri)") else {
            throw URLError(.badURL, userInfo: [NSLocalizedDescriptionKey: "failed to request \(uri): no server port or a malformed uri"])
        }
        var request = URLRequest(url: url)
        request.httpMethod = method.rawValue
        for field in headers { request.addValue(field.value, forHTTPHeaderField: field.name.rawName) }
        if let body { request.httpBody = Data(body.readableBytesView) }
        let (data, response) = try await URLSession.shared.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        var fields = HTTPFields()
        for (name, value) in http.allHeaderFields {
            guard let text = name as? String, let name = HTTPField.Name(text), let value = value as? String else { continue }
            fields.append(HTTPField(name: name, value: value))
        }
        return try await check(TestResponse(status: HTTPResponse.Status(code: http.statusCode), headers: fields, body: ByteBuffer(bytes: data)))
    }
}
