import Foundation
import LabRuntime

/// The fixed-work part of the overhead scenario: per-sample cost of every profiler side by side at
/// 999 and 9999 Hz on the same work, the floor (perf with no call graph) as the reference, the A/A
/// control's interval, and the 99 Hz overhead measured directly beside its projection.
extension OverheadScenario {
    /// The rates at which every profiler's per-sample cost is measured.
    static let fixedWorkRates = [999, 9999]
    /// flamelab fp at 99 Hz on the native workload: the headline rate, measured directly.
    static let fixedWorkDirect = OverheadConfiguration.flamelab(99, .fp)

    static func fixedWorkConfigurations(_ kind: FixedWorkload.Kind, quick: Bool) -> [OverheadConfiguration] {
        // The floor at 99 Hz too: flamelab's direct 99 Hz figure is the twins' reading above its own
        // interrupt plus the floor's at the same rate (see FixedWorkMeasurement).
        let direct = [fixedWorkDirect, .floor(fixedWorkDirect.hz)]
        if quick { return kind == .sqlite ? [.floor(9999), .flamelab(9999, .fp)] + direct : [] }
        switch kind {
        case .sqlite:
            return fixedWorkRates.flatMap { hz -> [OverheadConfiguration] in
                [.floor(hz), .peer(.perfFramePointer, hz), .peer(.perfDwarf, hz), .peer(.bpftrace, hz),
                 .flamelab(hz, .fp), .flamelab(hz, .fp, walkers: false), .flamelab(hz, .dwarf), .flamelab(hz, .auto)]
            } + direct
        case .python:
            return [.floor(9999), .flamelab(9999, .fp), .flamelab(9999, .fp, walkers: false), .flamelab(9999, .auto)]
        }
    }

    /// A unit's CPU: short, so that both twins of a pair see the same host (its contention moves over
    /// tens of milliseconds), and about one sample period at 99 Hz, so that the median unit holds one.
    static let fixedWorkUnitSeconds = 0.01

    /// Runs each workload's blocks on a pair of twins; a peer that is not installed is left out (and the report says so).
    func runFixedWork(_ context: ScenarioContext) throws -> [FixedWorkRun] {
        let seed = UInt64(Date().timeIntervalSince1970)
        let cpu = ProcessInfo.processInfo.activeProcessorCount - 1
        return try FixedWorkload.Kind.allCases.compactMap { kind -> FixedWorkRun? in
            let configurations = Self.fixedWorkConfigurations(kind, quick: context.quick).filter(Self.isInstalled)
            guard !configurations.isEmpty else { return nil }
            let reference = try FixedWorkload(kind, cpu: cpu), profiled = try FixedWorkload(kind, cpu: cpu)
            let unitSeconds = Self.fixedWorkUnitSeconds
            context.progress.update("overhead: calibrating the \(kind.rawValue) workload to \(unitSeconds) s of CPU")
            try profiled.calibrate(seconds: unitSeconds)
            reference.size = profiled.size
            _ = try reference.runUnit()
            var measurement = FixedWorkMeasurement(paths: context.paths, blocks: context.pick(full: 5, quick: 3), seed: seed,
                                                   pairs: context.pick(full: 40, quick: 24))
            measurement.resolvingBlocks = context.pick(full: 2, quick: 0)
            // The lab and the profilers it starts stay off the twins' CPU: their wake-ups there would be noise.
            let (results, trials) = try CPUAffinity.keepingOff(cpu: cpu) {
                try measurement.run(reference: reference, profiled: profiled, configurations: configurations, progress: context.progress)
            }
            return FixedWorkRun(workload: kind, unitSeconds: unitSeconds, unitSize: profiled.size, cpu: cpu, blocks: measurement.blocks,
                                resolvingBlocks: measurement.resolvingBlocks,
                                pairs: measurement.pairs, resolvingPairs: measurement.pairs(for: .control), seed: seed, results: results, trials: trials)
        }
    }

    /// 99 Hz: the direct measurement and the projection from the 9999 Hz per-sample cost (fp), with intervals.
    static func ninetyNine(_ run: FixedWorkRun) -> (direct: FixedWorkMeasurement.Estimate, projected: FixedWorkMeasurement.Estimate)? {
        guard let direct = run.result(fixedWorkDirect)?.overhead, let cost = run.result(.flamelab(9999, .fp))?.costPerSampleUs else { return nil }
        let scale = Double(fixedWorkDirect.hz) / 1e6
        return (direct, FixedWorkMeasurement.Estimate(value: cost.value * scale, low: cost.low * scale, high: cost.high * scale))
    }

    /// The 99 Hz figure measured directly with its interval when the interval resolves ±1%; else the projection, said to be one.
    static func fixedWorkHeadline(_ runs: [FixedWorkRun]) -> String {
        guard let native = runs.first(where: { $0.workload == .sqlite }), let control = native.control?.overhead else { return "fixed work not measured" }
        let aa = String(format: "A/A %+.2f..%+.2f%%", control.low * 100, control.high * 100)
        guard let (direct, projected) = ninetyNine(native) else { return "fixed work (\(aa)): 99 Hz not measured" }
        if direct.halfWidth <= 0.01 {
            return String(format: "flamelab fp at 99 Hz on fixed work (sqlite3): %+.2f%% CPU, 95%% interval %+.2f..%+.2f%%, measured directly (%@; projected from the per-sample cost %.2f%%)",
                          direct.value * 100, direct.low * 100, direct.high * 100, aa as NSString, projected.value * 100)
        }
        return String(format: "flamelab fp at 99 Hz on fixed work (sqlite3): %.2f%% CPU projected from the 9999 Hz per-sample cost (%.2f..%.2f%%), a projection: the direct measurement's interval %+.2f..%+.2f%% is not narrower than ±1%% (%@)",
                      projected.value * 100, projected.low * 100, projected.high * 100, direct.low * 100, direct.high * 100, aa as NSString)
    }

    func fixedWorkChecks(_ runs: [FixedWorkRun], quick: Bool) -> [ScenarioOutcome.Check] {
        guard let native = runs.first(where: { $0.workload == .sqlite }), let control = native.control?.overhead else {
            return [.init("fixed work measured", false, "no fixed-work run")]
        }
        var checks: [ScenarioOutcome.Check] = [
            .init("fixed work: the A/A control's 95% interval is computed", control.high.isFinite && control.low.isFinite,
                  String(format: "A/A %+.2f%%, 95%% interval %+.2f..%+.2f%% over %d blocks", control.value * 100, control.low * 100, control.high * 100, native.control?.blocks ?? native.blocks)),
        ]
        guard !quick else { return checks }
        checks.append(.init("fixed work: the A/A control's 95% interval lies within ±1%", control.low >= -0.01 && control.high <= 0.01,
                            String(format: "%+.2f..%+.2f%%", control.low * 100, control.high * 100)))
        if let (direct, projected) = Self.ninetyNine(native) {
            checks.append(.init("fixed work: the 99 Hz overhead's 95% interval is narrower than ±1%", direct.halfWidth <= 0.01,
                                String(format: "direct %+.2f%% (%+.2f..%+.2f%%, ±%.2f points)", direct.value * 100, direct.low * 100, direct.high * 100, direct.halfWidth * 100)))
            checks.append(.init("fixed work: 99 Hz measured directly and projected from the per-sample cost agree within their intervals", direct.overlaps(projected),
                                String(format: "direct %+.2f%% (%+.2f..%+.2f%%), projected %.3f%% (%.3f..%.3f%%)", direct.value * 100, direct.low * 100, direct.high * 100,
                                       projected.value * 100, projected.low * 100, projected.high * 100)))
        }
        let covered = Set(native.results.map { $0.configuration.tool.label })
        checks.append(.init("fixed work: the per-sample table covers the floor, perf -g, perf dwarf, bpftrace and flamelab fp, dwarf and auto",
                            ["perf (no call graph)", "perf -g", "perf --call-graph dwarf", "bpftrace", "flamelab"].allSatisfy(covered.contains),
                            covered.sorted().joined(separator: ", ")))
        return checks
    }

    /// Whether the tool a configuration needs is on this machine (flamelab always is).
    static func isInstalled(_ configuration: OverheadConfiguration) -> Bool {
        switch configuration.tool {
        case .peer(let peer): return peer.installedPath != nil
        case .floor: return PeerTool.perfFramePointer.installedPath != nil
        case .none, .flamelab: return true
        }
    }

    /// The fixed-work section of the report: method, one table per workload, the chart, and the 99 Hz reading.
    func writeFixedWork(_ runs: [FixedWorkRun], into report: inout MarkdownReport, dir: String) throws {
        report.heading("Fixed work: per-sample cost side by side (the primary method)")
        report.paragraph("Each workload runs as two identical long-lived processes (twins) pinned to the same CPU, each doing a fixed unit of work on command; a unit's CPU comes from the process's schedstat (ns). On this VM a unit's CPU time moves by up to 2x over seconds (other guests share the host's cores; no steal time is reported), so units run seconds apart cannot resolve 1%: the twins run their units alternately instead, tens of milliseconds apart, and what the host does to one it does to the other. A trial attaches one profiler to the profiled twin (before its units, so start-up is never measured) and runs a number of units on each twin in ABBA order; its ratio is the median over pairs of profiled over reference CPU. Every block runs two trials with no profiler (their mean ratio is the block's baseline, since two processes are never quite equal; one over the other is the A/A control) and one trial per configuration, in an order shuffled per block; a configuration's overhead in a block is its ratio over the baseline, minus one. A trial's precision varies tenfold with what the host does meanwhile, so the figure over blocks is their mean weighted by precision (1 / variance, from each trial's order-statistic interval of its median), and its 95% interval comes from a two-stage bootstrap: blocks resampled, then pairs within every trial of each drawn block, and every figure recomputed (1000 replicates). flamelab and bpftrace sample every task on the CPU and filter by pid in BPF, so their timer interrupt also lands on the reference twin and cancels out: the twins measure their cost above their own interrupt (the last column), and their overhead adds the floor's in the same block. The floor, `perf record` with no call graph (bound to the profiled twin: the timer interrupt and a sample), is the reference: a pid-bound sampler takes `hz` samples per second of the workload's CPU, so one sample costs overhead / (hz x (1 + overhead)), and \"above floor\" is each profiler's per-sample cost minus the floor's in the same block.")
        for run in runs {
            report.paragraph(String(format: "**%@**: units of %.2f s of CPU (%d %@), %d pairs per trial (%d for the controls and below 999 Hz), %d blocks of every trial and %d more of the controls and the rates below 999 Hz, both twins on CPU %d, shuffle and bootstrap seed %llu.",
                                    run.workload.rawValue as NSString, run.unitSeconds, run.unitSize, (run.workload == .sqlite ? "rows" : "iterations") as NSString,
                                    run.pairs, run.resolvingPairs, run.blocks, run.resolvingBlocks ?? 0, run.cpu, run.seed))
            report.table(header: ["configuration", "blocks", "overhead [95% interval]", "µs per sample [95%]", "above floor µs [95%]",
                                  "profiler CPU ms/s", "agent steady CPU ms/s", "RSS MiB (anonymous)", "above own interrupt [95%]"],
                         rows: run.results.map(Self.fixedWorkRow))
        }
        if let native = runs.first(where: { $0.workload == .sqlite }) {
            let rows = native.results.filter { $0.aboveFloorUs != nil }.map { r in
                StripChart.Row(label: r.label, values: r.aboveFloorPerBlockUs, interval: r.aboveFloorUs.map { $0.low...$0.high })
            }
            try PrivateFile.write(StripChart(title: "Per-sample cost above the floor (perf, no call graph), \(native.workload.rawValue): every block, 95% interval shaded",
                                             axisLabel: "µs per sample above the floor", rows: rows).svg(), to: "\(dir)/per-sample.svg")
            report.paragraph("![per-sample cost above the floor](per-sample.svg)")
            report.paragraph(Self.fixedWorkReading(native))
        }
    }

    private static func fixedWorkRow(_ r: FixedWorkMeasurement.Result) -> [String] {
        func estimate(_ e: FixedWorkMeasurement.Estimate?, scale: Double, _ spec: String) -> String {
            e.map { String(format: "\(spec) [\(spec)..\(spec)]", $0.value * scale, $0.low * scale, $0.high * scale) } ?? "-"
        }
        func value(_ v: Double?, _ spec: String) -> String { v.map { String(format: spec, $0) } ?? "-" }
        let memory = r.residentMiB.map { String(format: "%.0f", $0) + (r.anonymousMiB.map { String(format: " (%.0f)", $0) } ?? "") } ?? "-"
        return [r.label, "\(r.blocks)", estimate(r.overhead, scale: 100, "%+.2f%%"), estimate(r.costPerSampleUs, scale: 1, "%.2f"),
                estimate(r.aboveFloorUs, scale: 1, "%+.2f"), value(r.profilerCPUMsPerSecond, "%.2f"), value(r.agentSteadyCPUMsPerSecond, "%.2f"), memory,
                estimate(r.aboveInterruptEstimate, scale: 100, "%+.2f%%")]
    }

    private static func fixedWorkReading(_ run: FixedWorkRun) -> String {
        var text = ""
        if let control = run.control?.overhead {
            let resolved = control.low >= -0.01 && control.high <= 0.01
            text += String(format: "The A/A control's estimate is %+.2f%% with a 95%% interval of %+.2f..%+.2f%%: ", control.value * 100, control.low * 100, control.high * 100)
            text += resolved ? "the method resolves ±1% on this run. " : "**the method failed to resolve ±1% on this run**, so figures below 1% are not resolved. "
        }
        if let (direct, projected) = ninetyNine(run) {
            text += String(format: "At 99 Hz, flamelab fp measured directly costs %+.2f%% (95%% interval %+.2f..%+.2f%%); projected from its 9999 Hz per-sample cost it costs %.3f%% (%.3f..%.3f%%). ",
                           direct.value * 100, direct.low * 100, direct.high * 100, projected.value * 100, projected.low * 100, projected.high * 100)
            text += direct.overlaps(projected) ? "The two agree within their intervals. " : "**The two do not agree within their intervals.** "
        }
        if let floor = run.result(.floor(9999))?.costPerSampleUs, let fp = run.result(.flamelab(9999, .fp))?.aboveFloorUs {
            text += String(format: "At 9999 Hz the floor costs %.2f µs per sample (%.2f..%.2f) and flamelab fp %+.2f µs above it (%+.2f..%+.2f).",
                           floor.value, floor.low, floor.high, fp.value, fp.low, fp.high)
        }
        return text
    }
}
