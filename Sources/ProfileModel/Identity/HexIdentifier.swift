/// An id that is bytes inside flamelab and hex text at its edges (`TraceID`, `SpanID`): JSON and
/// the other codecs carry it as its lowercase hex string, and refuse text that is not one.
public protocol HexIdentifier: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// What the id is called in messages (`trace id`).
    static var kindName: String { get }
    /// The number of hex digits it is spelled with.
    static var hexDigits: Int { get }
    init?(hex: some StringProtocol)
    var hex: String { get }
}

extension HexIdentifier {
    public var description: String { hex }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = Self(hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "\(Self.kindName) \"\(text)\" is not \(Self.hexDigits) hex digits"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
