/// Compares two profiles function by function (self share of each side's own total).
public enum ProfileDiff {
    /// Every function with self value on either side, by |absolute change| descending (then name).
    /// Functions that are only ever callers (no self value on either side) have no self-share
    /// change and are left out; `FunctionStats` still has their totals.
    public static func compute(base: Profile, candidate: Profile) -> [FunctionChange] {
        compute(base: FunctionStats(profile: base), candidate: FunctionStats(profile: candidate))
    }

    /// The same, from precomputed statistics.
    public static func compute(base: FunctionStats, candidate: FunctionStats) -> [FunctionChange] {
        var names = Set(base.functions.filter { $0.selfValue > 0 }.map(\.name))
        names.formUnion(candidate.functions.filter { $0.selfValue > 0 }.map(\.name))
        let changes = names.map { change(of: $0, base: base, candidate: candidate) }
        return changes.sorted { a, b in
            abs(a.absoluteChange) != abs(b.absoluteChange) ? abs(a.absoluteChange) > abs(b.absoluteChange) : a.name < b.name
        }
    }

    /// The change of the function `name` (which may be absent from either side).
    public static func change(of name: String, base: FunctionStats, candidate: FunctionStats) -> FunctionChange {
        let b = base[name], c = candidate[name]
        let baseShare = b?.selfShare ?? 0, candShare = c?.selfShare ?? 0
        let n1 = base.testSampleSize, n2 = candidate.testSampleSize
        let x1 = baseShare * n1, x2 = candShare * n2
        // One inflation for both sides: a function new in the candidate has no base estimate.
        let dispersion = max(b?.dispersion ?? 1, c?.dispersion ?? 1)
        let test = ShareStatistics.twoProportionTest(x1: x1, n1: n1, x2: x2, n2: n2, dispersion: dispersion)
        let interval = ShareStatistics.differenceInterval(x1: x1, n1: n1, x2: x2, n2: n2, dispersion: dispersion)
        let absolute = candShare - baseShare
        return FunctionChange(
            name: name, kind: c?.kind ?? b?.kind ?? .unknown,
            baseSelf: b?.selfValue ?? 0, candSelf: c?.selfValue ?? 0,
            baseShare: baseShare, candShare: candShare,
            baseTotalShare: b?.totalShare ?? 0, candTotalShare: c?.totalShare ?? 0,
            absoluteChange: absolute, relativeChange: baseShare > 0 ? absolute / baseShare : nil,
            isNew: b == nil && c != nil, isGone: c == nil && b != nil,
            z: test.z, pValue: test.pValue, ciLow: interval.low, ciHigh: interval.high, dispersion: dispersion)
    }
}
