import ProfileModel

/// Which routes a load run sends and in what proportion, e.g. `checkout=70,price=10,inventory=10,tax=5,recommend=5`.
public struct RouteMix: Sendable, Codable, Equatable {
    /// The planted routes and the path (with query) each one requests.
    public static let knownRoutes: [String: String] = [
        "checkout": "/checkout",
        "price": "/price?items=4000",
        "inventory": "/inventory?sku=sku-42&delay_ms=100",
        "tax": "/tax?lines=20000",
        "recommend": "/recommend?n=20000",
        "quote": "/quote?rounds=200",
    ]
    /// Routes `all` leaves out: `quote` is the async-callers probe (its work runs on the concurrency
    /// executor, not the request pool), not one of the planted problems.
    static let probeRoutes: Set<String> = ["quote"]

    public var weights: [(route: String, weight: Double)]

    public static func == (a: RouteMix, b: RouteMix) -> Bool {
        a.weights.map(\.route) == b.weights.map(\.route) && a.weights.map(\.weight) == b.weights.map(\.weight)
    }

    private enum CodingKeys: String, CodingKey { case routes, weights }

    public init(weights: [(route: String, weight: Double)]) {
        self.weights = weights
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let routes = try c.decode([String].self, forKey: .routes)
        let values = try c.decode([Double].self, forKey: .weights)
        weights = Array(zip(routes, values)).map { (route: $0.0, weight: $0.1) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(weights.map(\.route), forKey: .routes)
        try c.encode(weights.map(\.weight), forKey: .weights)
    }

    /// Every planted route, equally weighted.
    public static let allRoutes = RouteMix(weights: knownRoutes.keys.sorted().filter { !probeRoutes.contains($0) }.map { ($0, 1) })

    /// Parses `route=weight,...` or `route,route`; errors name the bad part.
    public static func parse(_ text: String) throws -> RouteMix {
        if text == "all" { return allRoutes }
        var weights: [(route: String, weight: Double)] = []
        for part in text.split(separator: ",") {
            let pieces = part.split(separator: "=", maxSplits: 1)
            let route = String(pieces[0])
            guard knownRoutes[route] != nil else {
                throw FlamelabError("failed to parse route mix '\(text)': unknown route '\(route)' (known: \(knownRoutes.keys.sorted().joined(separator: ", ")))")
            }
            let weight = pieces.count == 2 ? Double(pieces[1]) : 1
            guard let w = weight, w > 0, w.isFinite else {
                throw FlamelabError("failed to parse route mix '\(text)': weight of '\(route)' must be a positive number")
            }
            weights.append((route, w))
        }
        guard !weights.isEmpty else { throw FlamelabError("failed to parse route mix '\(text)': no routes") }
        return RouteMix(weights: weights)
    }

    /// Picks a route for a uniform random number `u` in [0, 1).
    public func pick(_ u: Double) -> String {
        let total = weights.reduce(0) { $0 + $1.weight }
        var acc = 0.0
        for entry in weights {
            acc += entry.weight / total
            if u < acc { return entry.route }
        }
        return weights.last!.route
    }

    /// The request path of `route`.
    public func path(of route: String) -> String {
        Self.knownRoutes[route] ?? "/\(route)"
    }
}
