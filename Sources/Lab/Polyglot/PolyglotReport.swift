import Agent
import Foundation
import ProfileModel
import LabRuntime

/// Writes results/<polyglot|symbolization>/report.md: the per-class tables and the reader's write-up,
/// every sentence built from the run's own figures.
public struct PolyglotReport {
    let run: PolyglotMeasurement.Run
    let measurement: PolyglotMeasurement
    let machine: MachineInfo
    let command: String
    /// The async route's rows (walker on/off, perf, bpftrace), when measured.
    let asyncRun: PolyglotAsyncMeasurement.Run?

    public init(run: PolyglotMeasurement.Run, measurement: PolyglotMeasurement, machine: MachineInfo, command: String,
                asyncRun: PolyglotAsyncMeasurement.Run? = nil) {
        self.asyncRun = asyncRun
        self.run = run
        self.measurement = measurement
        self.machine = machine
        self.command = command
    }

    /// Configurations that produced samples (a failed or empty one is listed, never quoted).
    private var measured: [PolyglotFigures] { run.figures.filter { $0.error == nil && $0.samples > 0 } }

    private func figures(_ setup: ProfilerSetup) -> PolyglotFigures? {
        measured.first { $0.setup == setup.label }
    }

    public func markdown() -> String {
        var report = MarkdownReport(title: "Polyglot symbolization: Swift service with embedded CPython", machine: machine, command: command, settings: settings())
        report.heading("Summary")
        report.paragraph(Self.headline(run.figures) + ".")
        report.paragraph("Programs built without frame pointers (C and Swift, CPU and off-CPU, flamelab's default against perf dwarf and perf -g): [frameless.md](frameless.md).")
        overview(&report)
        classTables(&report)
        pythonWorker(&report)
        if let asyncRun { Self.asyncRoute(asyncRun, &report) }
        writeUp(&report)
        method(&report)
        return report.text
    }

    private func settings() -> [(String, String)] {
        let samples = run.figures.map { "\($0.setup) \($0.error == nil ? String($0.samples) : "failed")" }.joined(separator: ", ")
        return [
            ("Sampling", "CPU, \(measurement.hz) Hz, service pid \(run.pid) (all threads), every configuration at the same time over the same \(Int(measurement.seconds)) s"),
            ("Unwind modes", "flamelab fp, dwarf, auto, each with the Python walker off and on (`+py`); perf -g (frame pointers), perf --call-graph dwarf, bpftrace ustack (frame pointers)"),
            ("Load", "closed loop, \(measurement.connections) connections, mix `\(PolyglotScenario.mix)`, \(run.load.records.count) requests"),
            ("Samples", samples),
        ]
    }

    private func overview(_ report: inout MarkdownReport) {
        report.heading("Per configuration")
        report.table(header: ["configuration", "samples", "user stacks reaching a root frame", "worker samples", "with a named Python frame",
                              "eval-loop samples", "with a named Python frame", "[unknown] frames", "unnamed frames (all)"],
                     rows: run.figures.map { f in
                         guard f.error == nil, f.samples > 0 else { return [f.setup, f.error.map { "failed: \($0)" } ?? "no samples", "", "", "", "", "", "", ""] }
                         let unknown = f.classes.reduce(0) { $0 + $1.unknownFrames }
                         let unnamed = f.classes.reduce(0) { $0 + $1.frames - $1.namedFrames }
                         return [f.setup, "\(f.samples)", Self.pct(f.userStacksReachingRootPercent), "\(f.workerSamples)",
                                 Self.pct(f.workerPythonNamedPercent), "\(f.evalLoopSamples)", Self.pct(f.evalLoopPythonNamedPercent),
                                 "\(unknown)", "\(unnamed)"]
                     })
        report.paragraph("Root frames: `_start`, `__libc_start_call_main`, `__libc_start_main`, `start_thread`, `clone3`, `clone`. A worker sample is one whose stack holds a libpython or Python frame (the embedded interpreter on CPU, including GIL hand-offs and calls into it); an eval-loop sample is one that runs Python code (a Python frame or `_PyEval_EvalFrameDefault` on the stack; with frame pointers the eval frame is often lost). Per-configuration folded stacks are in `stacks/`. Commands: " +
                         run.figures.map { "`\($0.command)`" }.joined(separator: "; ") + ".")
    }

    private func classTables(_ report: inout MarkdownReport) {
        report.heading("Per class of frame")
        report.paragraph("For each class: frames seen (each sample counts once), % named (not `[unknown]`, not `module+0xOFFSET`), % of the stacks holding such a frame that reach a root frame, and the `[unknown]` count. `-` means the configuration shows no frame of that class.")
        for (kind, title) in PolyglotFigures.reportedClasses {
            let rows: [[String]] = measured.map { f in
                guard let r = f.row(kind), r.frames > 0 else { return [f.setup, "0", "-", "-", "0", "0"] }
                return [f.setup, "\(r.frames)", Self.pct(r.namedPercent), Self.pct(r.rootReachedPercent), "\(r.unknownFrames)", "\(r.frames - r.namedFrames - r.unknownFrames)"]
            }
            guard rows.contains(where: { $0[1] != "0" }) else { continue }
            report.paragraph("### \(title) (`\(kind.rawValue)`)")
            report.table(header: ["configuration", "frames", "named", "stacks reaching root", Frame.unknownName, "module+offset"], rows: rows)
        }
    }

    private func pythonWorker(_ report: inout MarkdownReport) {
        let walkers = measured.filter { $0.setup.hasSuffix("+py") }
        guard !walkers.isEmpty else { return }
        report.heading("The Python worker's functions")
        report.paragraph("`score_candidates` does three times the work of `rank_features` (same loop body), so a faithful profile puts them near 75% / 25% of the samples inside `recommend`.")
        let rows = walkers.map { f in
            let total = f.pythonFunctionSamples["recommend"] ?? 0
            return [f.setup, "\(total)", Self.share(f.pythonFunctionSamples["score_candidates"] ?? 0, of: total), Self.share(f.pythonFunctionSamples["rank_features"] ?? 0, of: total)]
        }
        report.table(header: ["configuration", "samples in recommend", "score_candidates", "rank_features"], rows: rows)
        let spy = run.pySpy
        report.paragraph(String(format: "Against py-spy: a second window of %.0f s, same load, with only flamelab auto +py and py-spy (`--gil`, %d Hz) sampling. py-spy reads the interpreter from outside and samples the GIL holder on wall-clock time, also while that thread waits for a CPU, so it is compared where one agent runs beside it rather than beside the nine profilers of the main window.", spy.seconds, PySpyReference.hz))
        if let error = spy.error {
            report.paragraph("py-spy comparison failed: \(error)")
        } else {
            let agentTotal = spy.flamelabFunctionSamples["recommend"] ?? 0
            report.table(header: ["tool (same window)", "samples in recommend", "score_candidates", "rank_features"], rows: [
                ["flamelab auto +py", "\(agentTotal)", Self.share(spy.flamelabFunctionSamples["score_candidates"] ?? 0, of: agentTotal),
                 Self.share(spy.flamelabFunctionSamples["rank_features"] ?? 0, of: agentTotal)],
                ["py-spy", "\(spy.recommendSamples)", Self.share(spy.functionSamples["score_candidates"] ?? 0, of: spy.recommendSamples),
                 Self.share(spy.functionSamples["rank_features"] ?? 0, of: spy.recommendSamples)],
            ])
        }
        if let gap = Self.largestPySpyGap(run) {
            report.paragraph(String(format: "Largest difference from py-spy: %.1f points (`%@`); the acceptance bound is 5 points. `%@`.",
                                    gap.points, gap.where as NSString, spy.command as NSString))
        }
    }

    /// The largest |flamelab share - py-spy share| in points over both planted functions, same window.
    static func largestPySpyGap(_ run: PolyglotMeasurement.Run) -> (points: Double, where: String)? {
        var worst: (points: Double, where: String)?
        for name in ["score_candidates", "rank_features"] {
            guard let reference = run.pySpy.share(name), let mine = run.pySpy.flamelabShare(name) else { return nil }
            let points = abs(mine - reference) * 100
            if points > (worst?.points ?? -1) { worst = (points, name) }
        }
        return worst
    }

    private func writeUp(_ report: inout MarkdownReport) {
        report.heading("Reading it: Swift frames against Python frames")
        var text = ""
        if let fp = figures(.flamelab(unwind: .fp, python: .off)), let app = fp.row(.app), let runtime = fp.row(.swiftRuntime) {
            text += String(format: "Swift frames come out clean even with plain frame pointers: flamelab fp names %@ of the service's Swift frames and %@ of the Swift runtime/Foundation/Dispatch frames, and %@ of the stacks through the service's Swift code reach a root frame. ",
                           Self.pct(app.namedPercent) as NSString, Self.pct(runtime.namedPercent) as NSString, Self.pct(app.rootReachedPercent) as NSString)
        }
        if let perf = figures(.perfFramePointer), let interp = perf.row(.interpreter) {
            let top = run.stacks[perf.setup]?.topNamed(.interpreter, limit: 3).map { "`\($0.name)`" }.joined(separator: ", ") ?? ""
            text += String(format: "The Python worker is another story. perf -g sees the worker only as libpython's C: %d interpreter frames, %@ of them named (most often %@), %d `[unknown]` frames in all, and not one Python function; only %@ of its stacks through libpython reach a root frame, because Debian's libpython is built without frame pointers and the walk breaks inside it. ",
                           interp.frames, Self.pct(interp.namedPercent) as NSString, top as NSString,
                           perf.classes.reduce(0) { $0 + $1.unknownFrames }, Self.pct(interp.rootReachedPercent) as NSString)
        }
        if let bt = figures(.bpftrace), let interp = bt.row(.interpreter) {
            text += String(format: "bpftrace's ustack is the same frame-pointer walk: %@ of libpython frames named, %@ of those stacks reach a root, %d `[unknown]` frames. ",
                           Self.pct(interp.namedPercent) as NSString, Self.pct(interp.rootReachedPercent) as NSString, bt.classes.reduce(0) { $0 + $1.unknownFrames })
        }
        if let off = figures(.flamelab(unwind: .dwarf, python: .off)), let interp = off.row(.interpreter) {
            let unnamed = run.stacks[off.setup]?.topUnnamed(.interpreter, limit: 2).map { "`\($0.name)`" }.joined(separator: ", ") ?? ""
            text += String(format: "DWARF unwinding (flamelab dwarf, perf dwarf) repairs the native stack: with flamelab dwarf %@ of the stacks through libpython reach a root frame, but a libpython frame is still C: %@ named, the rest addresses such as %@ (Debian ships no .symtab for libpython's static functions), and the Python function that was running is nowhere. ",
                           Self.pct(interp.rootReachedPercent) as NSString, Self.pct(interp.namedPercent) as NSString, unnamed as NSString)
        }
        report.paragraph(text)
        var walkerText = "The language-aware walker reads CPython 3.11's frame chain from BPF and merges the Python frames into the native stack at the eval frames. "
        for unwind in [UnwindMode.fp, .dwarf, .auto] {
            guard let on = figures(.flamelab(unwind: unwind, python: .auto)), let off = figures(.flamelab(unwind: unwind, python: .off)) else { continue }
            walkerText += String(format: "With %@ unwinding, the worker's samples that name their Python function go from %@ (walker off) to %@ (walker on, %d of %d samples; Python frames %@ named). ",
                                 unwind.rawValue as NSString, Self.pct(off.workerPythonNamedPercent) as NSString, Self.pct(on.workerPythonNamedPercent) as NSString,
                                 on.workerSamplesWithPythonNames, on.workerSamples, Self.pct(on.row(.python)?.namedPercent ?? 0) as NSString)
        }
        if let best = figures(.flamelab(unwind: .dwarf, python: .auto)), let top = run.stacks[best.setup]?.topNamed(.python, limit: 3), !top.isEmpty {
            walkerText += "Its most frequent Python frames: " + top.map { "`\($0.name)` (\($0.count))" }.joined(separator: ", ") + ". "
        }
        walkerText += "perf and bpftrace have no such walker for CPython 3.11 (perf's trampoline support starts with 3.12), so their Python-frame figure is 0 by construction."
        report.paragraph(walkerText)

        report.heading("Symbolization differences")
        report.paragraph(differences())
    }

    private func differences() -> String {
        var parts: [String] = []
        parts.append("Names: flamelab demangles Swift (`swift_demangle`) and C++ and writes `module+0xOFFSET` for an address inside a file without a symbol; perf and bpftrace print Swift names mangled (`$s...`; still counted as named) and `[unknown]` for the same addresses, so the `[unknown]` column of the agent is small where a peer's is large, while the `module+offset` column holds the agent's unnamed frames.")
        if let fp = figures(.flamelab(unwind: .fp, python: .off)), let perf = figures(.perfFramePointer) {
            parts.append(String(format: "Frame-pointer walks agree: user stacks reaching a root frame, flamelab fp %@, perf -g %@%@.",
                                Self.pct(fp.userStacksReachingRootPercent) as NSString, Self.pct(perf.userStacksReachingRootPercent) as NSString,
                                figures(.bpftrace).map { String(format: ", bpftrace %@", Self.pct($0.userStacksReachingRootPercent)) } ?? ""))
        }
        if let dwarf = figures(.flamelab(unwind: .dwarf, python: .off)), let perf = figures(.perfDwarf) {
            parts.append(String(format: "DWARF: flamelab dwarf %@, perf dwarf %@ of user stacks reach a root frame.",
                                Self.pct(dwarf.userStacksReachingRootPercent) as NSString, Self.pct(perf.userStacksReachingRootPercent) as NSString))
        }
        if let auto = figures(.flamelab(unwind: .auto, python: .off)) {
            parts.append(String(format: "auto (DWARF only for samples whose FP walk crosses code without frame pointers): %@.", Self.pct(auto.userStacksReachingRootPercent) as NSString))
        }
        parts.append("Kernel frames come from kallsyms in every tool. The Python walker adds frames; it does not change the native frames around them.")
        return parts.joined(separator: " ")
    }

    private func method(_ report: inout MarkdownReport) {
        report.heading("How frames are classified")
        report.paragraph("One rule set for every tool (`FrameClassifier`): the service's executable is service Swift code, except Swift runtime symbols linked into it (`swift_*`, `$ss*`, Foundation/Dispatch/_Concurrency specialisations); `libswift*`, `libFoundation*`, `libdispatch*`, `libBlocksRuntime*` are the Swift runtime; `libc`, `libm`, `ld-linux` are glibc; `libpython*` is libpython C; the kernel is `[kernel.kallsyms]`; Python frames exist only from the walker. perf is read with `perf script -F tid,ip,sym,dso --no-inline`, which prints each frame's file; bpftrace's stacks are printed with `ustack(perf)`/`kstack(perf)`, the same walk and symbols as the default `ustack` with the address and file added, so its frames are classified by file too. A frame whose address is in no mapping (a garbage return address) is `no module`. A frame counts as named unless it is `[unknown]`, a bare hex address, or `module+0xOFFSET`.")
        let notes = measured.filter { !$0.notes.isEmpty }
        guard !notes.isEmpty else { return }
        report.heading("Agent notes")
        report.bullets(notes.map { "\($0.setup): " + $0.notes.joined(separator: "; ") })
    }

    /// The index line: the walker's effect, Swift's naming, and root reach FP against DWARF.
    public static func headline(_ figures: [PolyglotFigures]) -> String {
        let measured = figures.filter { $0.error == nil && $0.samples > 0 }
        func find(_ setup: ProfilerSetup) -> PolyglotFigures? { measured.first { $0.setup == setup.label } }
        guard let on = find(.flamelab(unwind: .dwarf, python: .auto)) ?? find(.flamelab(unwind: .fp, python: .auto)) else {
            return "no flamelab configuration with the Python walker recorded"
        }
        var parts = [String(format: "worker samples naming their Python function: %@ with the walker (%@)", pct(on.workerPythonNamedPercent) as NSString, on.setup as NSString)]
        let peers = [find(.perfFramePointer), find(.perfDwarf), find(.bpftrace)].compactMap { $0 }
        if !peers.isEmpty { parts.append(peers.map { "\($0.setup) \(pct($0.workerPythonNamedPercent))" }.joined(separator: ", ")) }
        parts.append(String(format: "Swift app frames named %@", pct(on.row(.app)?.namedPercent ?? 0) as NSString))
        if let fp = find(.flamelab(unwind: .fp, python: .off)), let dwarf = find(.flamelab(unwind: .dwarf, python: .off)) {
            parts.append(String(format: "libpython stacks reaching a root: FP %@, DWARF %@", pct(fp.row(.interpreter)?.rootReachedPercent ?? 0) as NSString,
                                pct(dwarf.row(.interpreter)?.rootReachedPercent ?? 0) as NSString))
        }
        return parts.joined(separator: "; ")
    }

    static func pct(_ value: Double) -> String { String(format: "%.1f%%", value) }

    static func share(_ part: Int, of whole: Int) -> String {
        whole == 0 ? "-" : String(format: "%.1f%% (%d)", Double(part) * 100 / Double(whole), part)
    }
}
