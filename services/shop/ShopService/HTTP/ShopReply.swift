/// The JSON body of every planted route's response.
struct ShopReply: Encodable {
    var route: String
    var version: String
    var traceID: String
    var result: Double
    var cpuMs: Double
    var wallMs: Double

    enum CodingKeys: String, CodingKey {
        case route, version, result
        case traceID = "trace_id"
        case cpuMs = "cpu_ms"
        case wallMs = "wall_ms"
    }
}
