/// The planted leak as `GET /admin/fault` reports it.
public struct ShopLeakState: Decodable, Sendable {
    /// 1 when checkouts keep their carts.
    public var leak: Double
    /// Carts kept so far.
    public var rememberedCarts: Double
    /// Bytes of element storage the kept carts hold.
    public var rememberedBytes: Double

    public var isLeaking: Bool { leak == 1 }

    enum CodingKeys: String, CodingKey {
        case leak
        case rememberedCarts = "remembered_carts"
        case rememberedBytes = "remembered_bytes"
    }
}
