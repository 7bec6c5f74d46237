import LabRuntime
/// The scenario's two charts, built on `ShareIntervalPlot`.
public enum BlindspotPlots {
    static let shortColor = "#4477aa"
    static let longColor = "#cc3311"
    static let sessionColor = "#228833"
    static let requestColor = "#999933"

    /// roundToCents: every 1-s window and the long window per rate, against the truth.
    public static func sampledShare(_ result: BlindspotResult) -> String {
        let main = result.main
        var groups: [ShareIntervalPlot.Group] = []
        for hz in BlindspotScenario.comparedRates {
            guard let rate = main.rate(hz) else { continue }
            let requests = rate.taxRequests.map { ShareIntervalPlot.Point(estimate: $0) }
            groups.append(.init(label: "\(hz) Hz\nsingle requests", points: requests, color: requestColor))
            let windows = zip(rate.taxWindows, main.windows).map { ShareIntervalPlot.Point(estimate: $0, truth: $1.taxShare) }
            groups.append(.init(label: "\(hz) Hz\n1-s windows", points: windows, color: shortColor))
            groups.append(.init(label: "\(hz) Hz\n\(Int(main.whole.seconds.rounded())) s", points: [.init(estimate: rate.tax, truth: main.whole.taxShare)], color: longColor))
        }
        var references = [ShareIntervalPlot.ReferenceLine(label: "truth (counters × on-CPU fraction)", value: main.whole.taxShare, color: "black")]
        if let probe = result.uprobes.function(GroundTruthWindow.taxCounter) {
            references.append(.init(label: "uprobe/uretprobe (separate interval)", value: probe.uprobeShare, color: "#aa3377"))
        }
        return ShareIntervalPlot(title: "TaxCalculator.roundToCents: sampled share of service CPU, 95% intervals (black ticks: each window's truth)",
                                 yLabel: "share of service CPU", groups: groups, references: references).svg()
    }

    /// The 10 ms janitor: sweep time per second, sampled (hits / hz) against measured, per fresh-timer
    /// session at 100 and 101 Hz, and over the long run at every rate.
    public static func aliasing(_ analysis: BlindspotAnalysis) -> String {
        func point(_ e: SweepTimeEstimate) -> ShareIntervalPlot.Point {
            ShareIntervalPlot.Point(value: e.perSecond(e.estimatedNs), lower: e.perSecond(e.lowerNs), upper: e.perSecond(e.upperNs),
                                    truth: e.perSecond(Double(e.trueNs)),
                                    note: String(format: "%d hits at %d Hz: %.2f ms/s sampled vs %.2f ms/s measured", e.hits, e.hz, e.perSecond(e.estimatedNs), e.perSecond(Double(e.trueNs))))
        }
        var groups: [ShareIntervalPlot.Group] = []
        for hz in BlindspotScenario.aliasingRates {
            groups.append(.init(label: "\(hz) Hz\nsessions (\(Int(analysis.result.aliasingSessionSeconds)) s each)",
                                points: (analysis.aliasing[hz] ?? []).map(point), color: sessionColor))
        }
        for estimate in analysis.longSweep {
            groups.append(.init(label: "\(estimate.hz) Hz\nlong run", points: [point(estimate)], color: longColor))
        }
        return ShareIntervalPlot(title: "CacheJanitor.sweepExpiredEntries (every 10 ms): sampled time (hits/hz) vs measured (black ticks), 95% Poisson intervals",
                                 yLabel: "sweep ms per second", groups: groups, references: [], percentAxis: false).svg()
    }
}
