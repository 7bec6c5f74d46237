import Foundation
import LabRuntime
import ProfileModel

/// What the memory drill's profiles say, computed by code: which function each profile names, how
/// much of each profile the leak and the churn hold, and what grew between the two in-use snapshots.
struct MemoryDrillFindings: Codable {
    /// The leaking and the churning function, as the shop plants them.
    static let leakingFunction = "SessionCache.rememberCart"
    static let churnFunction = "ReceiptFormatter."

    /// Top service function by in-use bytes at the alert (the leak, if the drill works).
    var inuseTop: String?
    var inuseTopShare: Double
    /// Share of the in-use bytes under the churn function (it frees everything: near zero).
    var churnShareOfInuse: Double
    /// Top service function by bytes allocated over the leak window (the churn, if the drill works).
    var allocTop: String?
    var allocTopShare: Double
    /// Top service function by CPU over the leak window, and the leak's share of that CPU.
    var cpuTop: String?
    var leakShareOfCPU: Double
    /// The cheap mode over the leak window: the page-fault profile's top service function, and the
    /// shares of its faults under the leak and under the churn (which may re-fault pages glibc trimmed).
    var faultsTop: String?
    var leakShareOfFaults: Double
    var churnShareOfFaults: Double
    var faultSamples: Int
    /// The function that grew most between the two in-use snapshots, and by how many bytes.
    var grownTop: String?
    var grownBytes: Int64
    /// The in-use estimate under the leaking function at the second snapshot against the bytes the
    /// service reports it keeps then.
    var leakEstimateBytes: Int64
    var leakTrueBytes: Double?
    var leakEstimateError: Double? { leakTrueBytes.map { Double(leakEstimateBytes) / $0 - 1 } }

    init(firstInuse: Profile, secondInuse: Profile, allocWindow: Profile, cpuWindow: Profile, faultsWindow: Profile, leakTrueBytes: Double?) {
        let inuse = ProfileQueries.hottest(firstInuse, kinds: [.app])
        inuseTop = inuse?.name
        inuseTopShare = inuse?.share ?? 0
        churnShareOfInuse = Self.share(of: Self.churnFunction, in: firstInuse)
        let alloc = ProfileQueries.hottest(allocWindow, kinds: [.app])
        allocTop = alloc?.name
        allocTopShare = alloc?.share ?? 0
        cpuTop = ProfileQueries.hottest(cpuWindow, kinds: [.app])?.name
        leakShareOfCPU = Self.share(of: Self.leakingFunction, in: cpuWindow)
        faultsTop = ProfileQueries.hottest(faultsWindow, kinds: [.app])?.name
        leakShareOfFaults = Self.share(of: Self.leakingFunction, in: faultsWindow)
        churnShareOfFaults = Self.share(of: Self.churnFunction, in: faultsWindow)
        faultSamples = faultsWindow.samples.count
        let grown = Self.growth(from: firstInuse, to: secondInuse).first
        grownTop = grown?.name
        grownBytes = grown?.bytes ?? 0
        leakEstimateBytes = ProfileQueries.value(of: secondInuse, under: Self.leakingFunction)
        self.leakTrueBytes = leakTrueBytes
    }

    /// Whether a reported function name is `needle`'s (names are full demangled Swift names).
    static func names(_ function: String?, _ needle: String) -> Bool {
        function.map { FunctionName.display($0).contains(needle) } ?? false
    }

    /// Share of `profile`'s total under frames whose name contains `needle`.
    static func share(of needle: String, in profile: Profile) -> Double {
        let total = profile.totalValue
        return total > 0 ? Double(ProfileQueries.value(of: profile, under: needle)) / Double(total) : 0
    }

    /// Service functions by how many more bytes they hold in `second` than in `first`, most first.
    static func growth(from first: Profile, to second: Profile) -> [(name: String, bytes: Int64)] {
        let before = Dictionary(ProfileQueries.attributed(first, kinds: [.app]).map { ($0.name, $0.value) }, uniquingKeysWith: +)
        return ProfileQueries.attributed(second, kinds: [.app])
            .map { (name: $0.name, bytes: $0.value - (before[$0.name] ?? 0)) }
            .sorted { $0.bytes != $1.bytes ? $0.bytes > $1.bytes : $0.name < $1.name }
    }
}
