import CPythonWalkTest
import Foundation
import ProfileModel
import FlamelabTesting
import Testing
import Symbolize

/// The BPF walker end to end: a perf_event program (and a tp_btf/sched_switch one) with the walker inside,
/// loaded through the real verifier, samples CPython (Debian's 3.11, embedded 3.11, pyenv's standalone 3.12
/// and 3.13) running a known 75/25 split; py-spy samples the same process at the same time, and both must
/// agree. Needs root.
@Suite(.serialized)
struct PythonWalkerSamplingTests {
    enum Host: String, CaseIterable, CustomTestStringConvertible {
        /// Debian's /usr/bin/python3.11 (interpreter linked into the executable, non-PIE).
        case standalone
        /// A native program embedding libpython3.11.so, like the Swift service.
        case embedded
        /// pyenv's standalone 3.12 (libpython3.12.so; C-stack shim frames, no global tstate_current).
        case pyenv312
        /// pyenv's standalone 3.13 (offsets from its own _Py_DebugOffsets; f_executable, instr_ptr).
        case pyenv313

        var testDescription: String { rawValue }

        /// The pyenv interpreter of the case, nil for the Debian ones.
        var pyenvMinor: Int? {
            switch self {
            case .standalone, .embedded: return nil
            case .pyenv312: return 12
            case .pyenv313: return 13
            }
        }

        /// Issue 12's bars for the new versions (>= 95% named, within 3 points of py-spy); the 3.11 hosts
        /// keep their original ones.
        var minimumNamedShare: Double { pyenvMinor == nil ? 0.90 : 0.95 }
        var pySpyTolerance: Double { pyenvMinor == nil ? 0.05 : 0.03 }
    }

    static let hz: UInt64 = 999
    // 15 s at 999 Hz: about 12000 samples on an idle host. CI's host starves the script (one run got 2940
    // samples at 499 Hz, 2.8 points off the instrumented split): samples of one phase of the script
    // cluster, so the share's spread is wider than a binomial's and only more samples narrow it. py-spy
    // stays at 400 Hz.
    static let seconds = 15.0
    static let minimumSamples = 1000

    @Test(.requiresRoot, arguments: Host.allCases)
    func walkerNamesPythonFramesLikePySpy(host: Host) throws {
        let interpreter = host.pyenvMinor.map { TestPaths.pyenvPython(minor: $0) } ?? TestPaths.debianPython
        guard TestEnvironment.require(TestEnvironment.isRoot, "not root: the Python walker test loads BPF programs"),
              TestEnvironment.require(interpreter.map { FileManager.default.isExecutableFile(atPath: $0) } ?? false,
                                      "\(interpreter ?? "pyenv 3.\(host.pyenvMinor ?? 0)") is missing (apt-get install python3.11, pyenv install 3.12 / 3.13)"),
              try Self.buildWalkerObject() else { return }
        let script = try Self.start(host: host)
        defer { script.stop() }
        #expect(script.waitUntilReady(), "the fixture script did not start")
        let detection = PythonProcessInfo.inspect(pid: script.pid)
        guard case .supported(let info) = detection else {
            Issue.record("failed to detect Python in pid \(script.pid): \(detection)")
            return
        }
        let pySpy = TestEnvironment.findExecutable("py-spy")
        _ = TestEnvironment.require(pySpy != nil, "py-spy not installed (pip install py-spy): no comparison")
        let truthBefore = script.waitForWords(after: "split").compactMap { Double($0) }
        let run = try WalkerRun.record(info: info, hz: Self.hz, seconds: Self.seconds, pySpy: pySpy)
        let truthAfter = script.lastWords(after: "split").compactMap { Double($0) }
        // Names are read from the live process (as the agent does while draining), then it may go.
        let summary = WalkerSummary(run: run, info: info)
        script.stop()
        print("python walker [\(host.rawValue)]: \(summary.report), BPF ns/sample \(run.nanosecondsPerSample ?? -1)")
        #expect(run.drops == 0)
        // The machine is shared (2 cores, other builds): ask for enough samples for a +-2.5-point share, not a CPU rate.
        #expect(summary.cpuSamples >= Self.minimumSamples, "too few CPU samples")
        #expect(summary.namedShare >= host.minimumNamedShare, "samples with Python names: \(summary.namedShare)")
        #expect(summary.orderedShare >= 0.90, "samples whose Python stack ends run <- main <- <module>")
        #expect(summary.hotALineShare >= 0.90, "hot_a frames on the line of its call to spin()")
        #expect(summary.hotAGroupShare >= 0.90, "hot_a samples all in eval group 0")
        #expect(summary.hotBGroupShare >= 0.90, "計算_b in group 0 and run() in group 1 (map() between)")
        #expect(summary.offCPUNapSamples > 0, "off-CPU samples in nap()")
        #expect(summary.offCPUWaiterSamples > 0, "off-CPU samples of the second thread in wait_in_thread()")
        #expect(abs(summary.shareA - 0.75) < 0.10, "hot_a share \(summary.shareA), planted 0.75")
        // Ground truth: thread CPU time the script itself measured in each function over the window.
        var truthShareA: Double?
        if truthBefore.count == 2, truthAfter.count == 2 {
            let inA = truthAfter[0] - truthBefore[0], inB = truthAfter[1] - truthBefore[1]
            let share = inA / max(1, inA + inB)
            truthShareA = share
            print("instrumented [\(host.rawValue)]: hot_a share \(share) (\(inA / 1e9) s vs \(inB / 1e9) s)")
            #expect(abs(summary.shareA - share) <= 0.05, "flamelab \(summary.shareA) vs instrumented \(share)")
        } else {
            Issue.record("failed to read the script's instrumented split: \(truthBefore) \(truthAfter)")
        }
        if let spy = run.pySpy {
            let spyShareA = Double(spy.hotA) / Double(max(1, spy.hotA + spy.hotB))
            print("py-spy [\(host.rawValue)]: samples \(spy.total), hot_a \(spy.hotA), 計算_b \(spy.hotB), share \(spyShareA)")
            #expect(spy.total > 100, "py-spy took too few samples")
            #expect(Self.agreesWithPySpy(flamelab: summary.shareA, pySpy: spyShareA, truth: truthShareA, tolerance: host.pySpyTolerance),
                    "flamelab \(summary.shareA) vs py-spy \(spyShareA), instrumented \(truthShareA.map { "\($0)" } ?? "unknown")")
        }
    }

    /// Within `tolerance` of py-spy, or, when the two differ by more, flamelab is the one within `tolerance` of
    /// the script's own CPU-time split and closer to it than py-spy. py-spy samples wall-clock time of
    /// runnable threads: on a loaded 2-core host a preempted hot_a still counts for it, so py-spy can stray
    /// from the CPU-time truth by 2-3 points (CI: py-spy 0.722 against an instrumented 0.747, flamelab 0.760).
    /// A flamelab error still fails: it would be farther from the truth than py-spy, or beyond the tolerance.
    static func agreesWithPySpy(flamelab: Double, pySpy: Double, truth: Double?, tolerance: Double) -> Bool {
        if abs(flamelab - pySpy) <= tolerance { return true }
        guard let truth else { return false }
        return abs(flamelab - truth) <= tolerance && abs(flamelab - truth) < abs(pySpy - truth)
    }

    /// The py-spy rule on CI's figures: a py-spy that strays from the truth does not fail a flamelab that
    /// is right, and a flamelab that strays fails even when py-spy strays the other way.
    @Test func pySpyAgreementRule() {
        #expect(Self.agreesWithPySpy(flamelab: 0.760, pySpy: 0.722, truth: 0.747, tolerance: 0.03))
        #expect(Self.agreesWithPySpy(flamelab: 0.75, pySpy: 0.73, truth: nil, tolerance: 0.03))
        #expect(!Self.agreesWithPySpy(flamelab: 0.760, pySpy: 0.722, truth: nil, tolerance: 0.03))
        #expect(!Self.agreesWithPySpy(flamelab: 0.790, pySpy: 0.740, truth: 0.747, tolerance: 0.03))
        #expect(!Self.agreesWithPySpy(flamelab: 0.700, pySpy: 0.760, truth: 0.735, tolerance: 0.03))
    }

    /// A stack deeper than FLAMELAB_MAX_PY_FRAMES: the leaf 64 frames, and the status says it was cut.
    @Test(.requiresRoot) func deepStacksAreTruncatedAndSaySo() throws {
        guard TestEnvironment.require(TestEnvironment.isRoot, "not root: the Python walker test loads BPF programs"),
              TestEnvironment.require(FileManager.default.isExecutableFile(atPath: TestPaths.debianPython),
                                      "\(TestPaths.debianPython) is missing (apt-get install python3.11)"),
              try Self.buildWalkerObject() else { return }
        let script = try ScriptProcess(executable: TestPaths.debianPython, arguments: ["deep_stack.py", "20"])
        defer { script.stop() }
        #expect(script.waitUntilReady(), "deep_stack.py did not start")
        guard let info = PythonProcessInfo.detect(pid: script.pid) else {
            Issue.record("failed to detect Python in pid \(script.pid)")
            return
        }
        let run = try WalkerRun.record(info: info, hz: Self.hz, seconds: 2, pySpy: nil)
        let resolver = PythonFrameResolver()
        resolver.register(info)
        var cpuEvents = run.events.filter { $0.kind == PYWALK_KIND_CPU }
        #expect(cpuEvents.count >= 100)
        let truncated = cpuEvents.filter { $0.python.status == FLAMELAB_PY_TRUNCATED.rawValue && $0.python.count == FLAMELAB_MAX_PY_FRAMES }
        #expect(Double(truncated.count) >= 0.9 * Double(cpuEvents.count), "\(truncated.count) of \(cpuEvents.count) truncated")
        if !cpuEvents.isEmpty {
            let names = resolver.resolve(pid: info.pid, frames: WalkerSummary.rawFrames(of: &cpuEvents[0])).map(\.name)
            #expect(names.allSatisfy { $0 == "recurse" }, "\(names)")
        }
    }

    /// 3.13's _Py_InitCleanup pseudo-frame (between a specialised K() and K.__init__) is walked but left
    /// out of the named stack: K.__init__ sits right above build().
    @Test(.requiresRoot) func initCleanupShimOf313IsLeftOut() throws {
        let python = TestPaths.pyenvPython(minor: 13)
        guard TestEnvironment.require(TestEnvironment.isRoot, "not root: the Python walker test loads BPF programs"),
              TestEnvironment.require(python != nil, "pyenv 3.13 is missing (pyenv install 3.13)"),
              try Self.buildWalkerObject() else { return }
        let script = try ScriptProcess(executable: python ?? "", arguments: ["init_loop.py", "20"])
        defer { script.stop() }
        #expect(script.waitUntilReady(), "init_loop.py did not start")
        guard let info = PythonProcessInfo.detect(pid: script.pid) else {
            Issue.record("failed to detect Python in pid \(script.pid)")
            return
        }
        let run = try WalkerRun.record(info: info, hz: Self.hz, seconds: 2, pySpy: nil)
        let resolver = PythonFrameResolver()
        resolver.register(info)
        var inInit = 0, underBuild = 0
        for var event in run.events where event.kind == PYWALK_KIND_CPU {
            let names = resolver.resolveGrouped(pid: info.pid, frames: WalkerSummary.rawFrames(of: &event)).map(\.frame.name)
            guard let index = names.firstIndex(of: "K.__init__") else { continue }
            inInit += 1
            if index + 1 < names.count, names[index + 1] == "build" { underBuild += 1 }
        }
        print("init cleanup [3.13]: K.__init__ in \(inInit) samples, right under build() in \(underBuild), shims skipped \(resolver.statistics.skippedShimFrames)")
        #expect(inInit >= 100)
        #expect(resolver.statistics.skippedShimFrames > 0, "no _Py_InitCleanup frame seen: K() not specialised?")
        #expect(Double(underBuild) >= 0.95 * Double(inInit))
    }

    /// Builds bpf/.output/pywalk_test.bpf.o (offsets header first) with bpf/python.mk.
    static func buildWalkerObject() throws -> Bool {
        let (status, output) = try TestEnvironment.run("/usr/bin/make", ["-s", "-f", "bpf/python.mk", "PY_STANDALONE=1", "python"],
                                                       directory: TestPaths.repository)
        guard status == 0 else {
            Issue.record("failed to build the walker's BPF object: \(output)")
            return false
        }
        return true
    }

    static func start(host: Host) throws -> ScriptProcess {
        switch host {
        case .standalone:
            return try ScriptProcess(executable: TestPaths.debianPython, arguments: ["cpu_split.py", "40"])
        case .embedded:
            let binary = FileManager.default.temporaryDirectory.appendingPathComponent("pyframes-embed-host").path
            let source = TestPaths.fixtures.appendingPathComponent("embed_host.c").path
            let (status, output) = try TestEnvironment.run("/usr/bin/cc", ["-O1", source, "-lpython3.11", "-o", binary])
            if status != 0 { Issue.record("failed to build embed_host: \(output)") }
            return try ScriptProcess(executable: binary, arguments: ["cpu_split.py", "40"])
        case .pyenv312, .pyenv313:
            return try ScriptProcess(executable: TestPaths.pyenvPython(minor: host.pyenvMinor ?? 0) ?? "/nonexistent",
                                     arguments: ["cpu_split.py", "40"])
        }
    }
}
