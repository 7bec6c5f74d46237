import FlamelabTesting
import Foundation
import Lab
import LabRuntime
import ProfileModel
import Testing

/// The rows `lab run polyglot` writes for standalone CPython 3.12 and 3.13: counting the agent's stacks and
/// py-spy's folded output, and the checks on them (the measurement itself runs in the scenario).
struct StandalonePythonComparisonTests {
    static let eval = Frame(name: "_PyEval_EvalFrameDefault", module: "libpython3.12.so.1.0", kind: .native)

    static func python(_ names: String...) -> [Frame] {
        [eval] + names.map { Frame(name: $0, module: "planted_split.py", kind: .python) }
    }

    @Test func rowCountsNamedSamplesAndTheSplitOfBothTools() {
        var samples = StackSamples()
        samples.add(Self.python("<module>", "main", "hot", "spin"), weight: 74)
        samples.add(Self.python("<module>", "main", "cold", "spin"), weight: 25)
        samples.add([Self.eval, Frame(name: "[unknown python]", kind: .python)], weight: 1)  // not named
        var row = StandalonePythonComparison.Row()
        row.countFlamelab(samples)
        row.countPySpy("""
        <module> (planted_split.py:17);main (planted_split.py:14);hot (planted_split.py:8);spin (planted_split.py:5) 152
        <module> (planted_split.py:17);main (planted_split.py:15);cold (planted_split.py:10);spin (planted_split.py:5) 48
        <module> (planted_split.py:17);main (planted_split.py:13) 3
        """)
        #expect(row.flamelabSamples == 100 && row.flamelabNamed == 99)
        #expect(row.flamelabHot == 74 && row.flamelabCold == 25)
        #expect(row.pySpySamples == 203 && row.pySpyHot == 152 && row.pySpyCold == 48)
        #expect(abs((row.flamelabHotPercent ?? 0) - 7400.0 / 99) < 1e-9)
        #expect(abs((row.pySpyHotPercent ?? 0) - 76) < 1e-9)
        #expect(abs((row.gapPoints ?? 0) - abs(7400.0 / 99 - 76)) < 1e-9)
        #expect(row.flamelabNamedPercent == 99)
    }

    @Test func checksHoldIssue12sBars() {
        var good = StandalonePythonComparison.Row()
        good.version = "3.13"
        (good.flamelabSamples, good.flamelabNamed, good.flamelabHot, good.flamelabCold) = (1000, 990, 750, 250)
        (good.pySpySamples, good.pySpyHot, good.pySpyCold) = (1000, 770, 230)
        var far = good
        far.pySpyHot = 800
        far.pySpyCold = 200                       // 5 points away
        var unnamed = good
        unnamed.flamelabNamed = 900               // 90% named
        var missing = StandalonePythonComparison.Row()
        missing.version = "3.12"
        missing.error = "failed to find CPython 3.12"
        let checks = PolyglotScenario.standaloneChecks([good, far, unnamed, missing], quick: false)
        #expect(checks.map(\.passed) == [true, false, false, false])
        #expect(StandalonePythonComparison.markdown([good, missing]).contains("| 3.13 | 1000 | 99.0% | 75.0% | 1000 | 77.0% | 2.0 points |"))
    }

    /// The scenario's own code path on real processes (agent with BPF, py-spy): both versions measured,
    /// named and split as planted. The 3-point bar against py-spy is the scenario's (20 s) and
    /// PythonFramesTests' (15 s); over this 8 s window the test allows 5.
    @Test(.requiresRoot) func measuresPyenv312And313BesidePySpy() throws {
        try TestEnvironment.requireRoot()
        guard TestEnvironment.require(PeerTool.pySpy.installedPath != nil, "py-spy not installed (pip install py-spy)") else { return }
        let work = NSTemporaryDirectory() + "standalone-python-test-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let rows = StandalonePythonComparison(seconds: 8).run(workDirectory: work)
        print(StandalonePythonComparison.markdown(rows))
        #expect(rows.map(\.version) == ["3.12", "3.13"])
        for row in rows {
            #expect(row.error == nil, "\(row.version): \(row.error ?? "")")
            #expect(row.flamelabSamples >= 1000, "\(row.version): \(row.flamelabSamples) samples")
            #expect(row.flamelabNamedPercent >= 95, "\(row.version)")
            #expect(abs((row.flamelabHotPercent ?? 0) - 75) <= 5, "\(row.version): hot \(row.flamelabHotPercent ?? -1)%")
            #expect((row.gapPoints ?? 100) <= 5, "\(row.version): gap \(row.gapPoints ?? -1)")
        }
    }
}
