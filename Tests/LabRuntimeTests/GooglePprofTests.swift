import FlamelabTesting
import Foundation
import LabRuntime
import ProfileModel
import Testing

/// Google's pprof (built offline from Debian's sources by `make pprof-bin`) reads the files flamelab
/// writes: the CPU and off-CPU fixtures open with their sample types, and `pprof -top` gives every
/// function the same self share flamelab computes from the same file.
@Suite struct GooglePprofTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let pprof = root + "/.build/pprof/pprof"
    static var built: Bool { FileManager.default.isExecutableFile(atPath: pprof) }

    @Test(.enabled(if: built || TestEnvironment.isCI, "Google's pprof is not built (make pprof-bin)"),
          arguments: [("cpu.pb", "cpu"), ("offcpu.pb", "off_cpu")])
    func pprofReadsFlamelabsProfilesAndAgreesOnSelfTime(file: String, sampleType: String) throws {
        let path = Self.root + "/Tests/ProfileModelTests/Fixtures/" + file
        let (rawStatus, raw) = try TestEnvironment.run(Self.pprof, ["-raw", path])
        #expect(rawStatus == 0, "pprof -raw \(file): \(raw.prefix(300))")
        #expect(raw.contains("samples/count \(sampleType)/nanoseconds"), "sample types of \(file)")
        let (topStatus, top) = try TestEnvironment.run(Self.pprof, ["-top", "-nodecount=1000", "-nodefraction=0", "-edgefraction=0", "-sample_index=\(sampleType)", path])
        #expect(topStatus == 0, "pprof -top \(file): \(top.prefix(300))")
        let theirs = Self.selfShares(top)
        let ours = try Self.flamelabSelfShares(path)
        #expect(!theirs.isEmpty)
        #expect(Set(theirs.keys) == Set(ours.filter { $0.value > 0 }.keys), "functions with self time in \(file)")
        for (name, share) in theirs {
            #expect(abs(share - (ours[name] ?? -1)) < 0.006, "\(name): pprof \(share)% vs flamelab \(ours[name] ?? -1)%")
        }
    }

    /// `flat%` of every row of `pprof -top` with self time, by function name.
    static func selfShares(_ top: String) -> [String: Double] {
        var shares: [String: Double] = [:]
        let row = /^\s*(\S+)\s+([\d.]+)%\s+[\d.]+%\s+\S+\s+[\d.]+%\s+(.+)$/
        for line in top.split(separator: "\n") {
            guard let match = try? row.wholeMatch(in: String(line)), let share = Double(match.2), share > 0 else { continue }
            shares[String(match.3), default: 0] += share
        }
        return shares
    }

    /// flamelab's self share (percent) of each leaf function of the decoded file.
    static func flamelabSelfShares(_ path: String) throws -> [String: Double] {
        let profile = try PprofCodec.decode(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        let total = Double(profile.totalValue)
        let ranked = ProfileQueries.attributed(profile, kinds: Set(FrameKind.allCases))
        return Dictionary(ranked.map { ($0.name, Double($0.value) / total * 100) }, uniquingKeysWith: +)
    }
}
