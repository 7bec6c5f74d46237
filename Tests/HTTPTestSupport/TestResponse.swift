import HTTPTypes
import NIOCore

/// What a request to a live test server got back.
public struct TestResponse: Sendable {
    public let status: HTTPResponse.Status
    public let headers: HTTPFields
    public let body: ByteBuffer
}
