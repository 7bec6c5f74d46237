import Foundation

/// Renders a `GateVerdict` as a markdown PR comment: verdict, reasons, the top changed functions
/// table, the rule with its statistics, and whether the sample count was enough.
public enum GateCommentRenderer {
    public static func render(_ verdict: GateVerdict) -> String {
        var lines = ["## flamelab profile gate: \(verdict.passed ? "PASS" : "FAIL")", ""]
        lines += headline(verdict)
        lines += samplesTable(verdict)
        lines += changesTable(verdict)
        lines += why(verdict)
        lines += ruleAndSampleSize(verdict)
        return lines.joined(separator: "\n") + "\n"
    }

    private static func headline(_ v: GateVerdict) -> [String] {
        if let first = v.reasons.first {
            return ["**Regression:** " + describe(first, v) + ".", ""]
        }
        if !v.notSignificant.isEmpty {
            return ["**No significant regression.** \(v.notSignificant.count) change(s) matched the rule but were not "
                    + "significant at the samples collected (see below).", ""]
        }
        return ["**No regression:** no function entered the top \(v.rule.topN) by \(v.valueName) and no top-\(v.rule.topN) "
                + "function grew by more than \(percent(v.rule.maxRelativeGrowth, digits: 0)).", ""]
    }

    private static func samplesTable(_ v: GateVerdict) -> [String] {
        [
            "| | Baseline | Candidate |",
            "|---|---:|---:|",
            "| Samples | \(count(v.baselineSamples)) | \(count(v.candidateSamples)) |",
            "| Top \(v.rule.topN) by \(v.valueName) | \(v.baselineTop.map { code(FunctionName.display($0)) }.joined(separator: ", ")) "
                + "| \(v.candidateTop.map { code(FunctionName.display($0)) }.joined(separator: ", ")) |",
            "",
        ]
    }

    private static func changesTable(_ v: GateVerdict) -> [String] {
        var lines = [
            "### Top \(v.topChanges.count) changed functions by \(v.valueName) share", "",
            "| Function | Kind | Baseline | Candidate | Change | Relative | Self (base → cand) | p-value | 95% CI of change |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for c in v.topChanges {
            let relative = c.relativeChange.map { signedPercent($0) } ?? (c.isNew ? "new" : "n/a")
            let marker = c.isNew ? " (new)" : c.isGone ? " (gone)" : ""
            lines.append("| \(code(FunctionName.display(c.name, kind: c.kind)))\(marker) | \(c.kind.rawValue) | \(percent(c.baseShare)) | \(percent(c.candShare)) "
                         + "| \(points(c.absoluteChange)) | \(relative) | \(value(c.baseSelf, v)) → \(value(c.candSelf, v)) "
                         + "| \(pValue(c.pValue)) | \(points(c.ciLow)) … \(points(c.ciHigh)) |")
        }
        return lines + [""]
    }

    private static func why(_ v: GateVerdict) -> [String] {
        var lines = ["### Why", ""]
        for f in v.reasons {
            lines.append("- FAIL: \(describe(f, v)); p \(pRelation(f.pValue))\(inflation(f)), below the per-test level "
                         + "\(alpha(v.correctedAlpha)).")
        }
        for f in v.notSignificant {
            if f.significant {
                lines.append("- Below the floor, not counted: \(describe(f, v)); its share rose \(points(f.candShare - f.baseShare)), "
                             + "less than the \(floor(v.rule)) two captures of one build can differ by.")
            } else {
                lines.append("- Not significant, not counted: \(describe(f, v)); p \(pRelation(f.pValue))\(inflation(f)) is not below "
                             + "the per-test level \(alpha(v.correctedAlpha)) at these sample counts.")
            }
        }
        if v.reasons.isEmpty && v.notSignificant.isEmpty {
            lines.append("- PASS: the top \(v.rule.topN) by \(v.valueName) kept its members and no top-\(v.rule.topN) "
                         + "function grew by more than \(percent(v.rule.maxRelativeGrowth, digits: 0)).")
        }
        return lines + [""]
    }

    private static func ruleAndSampleSize(_ v: GateVerdict) -> [String] {
        let r = v.rule
        let growth = percent(r.maxRelativeGrowth, digits: 0)
        let entrant = r.entrantRequiresGrowth ? " (and is new or grew by more than \(growth))" : ""
        let correction = r.bonferroni
            ? "Bonferroni-corrected over \(v.testedFunctions) functions (\(alpha(v.correctedAlpha)) each)"
            : "uncorrected"
        var lines = [
            "### Rule and statistics", "",
            "Fail when a function enters the top \(r.topN) by \(v.valueName) that was not in the baseline's top \(r.topN)"
                + "\(entrant), or when a top-\(r.topN) function's self share grows by more than \(growth). A trigger counts "
                + "only if\(r.minAbsoluteChange > 0 ? " it rose by at least \(floor(r)) and" : "") it is significant: Fisher's exact test, "
                + "two-sided, α = \(alpha(r.alpha)) \(correction). "
                + "Neighbouring samples are correlated, so a share varies more between two captures than independent "
                + "draws would: each test's counts are divided by the larger of the two profiles' measured variance ratio "
                + "(batch means over \(SampleDispersion.blocks) blocks of samples in time order; 1 when samples carry no time).",
            "",
        ]
        let s = v.sampleSize
        var sentence = "Sample size: the smallest baseline top-\(r.topN) share is \(percent(s.smallestTopShare)); "
        if let mdc = s.minimumDetectableRelativeChange {
            sentence += "at these sample counts the gate detects a relative growth of \(percent(mdc, digits: 1)) or more "
                + "with \(percent(s.power, digits: 0)) power"
        } else {
            sentence += "at these sample counts no growth of it is reliably detectable"
        }
        if s.enough {
            sentence += ": enough to see \(growth)."
        } else {
            sentence += ": not enough to see \(growth)"
            sentence += s.samplesNeededPerSide.map { " (about \(count($0)) samples per side are needed)." } ?? "."
        }
        lines.append(sentence)
        if let kernel = v.kernelShare, kernel.baseline > 0 || kernel.candidate > 0 {
            lines += ["", "Kernel time: CPU samples taken in the kernel are left out of the test (\(percent(kernel.baseline)) of the "
                      + "baseline, \(percent(kernel.candidate)) of the candidate), so shares are of user-space CPU; a shared "
                      + "machine's interrupts and lock contention land there. `--kernel include` tests them too."]
        }
        return lines
    }

    // MARK: phrasing and numbers

    /// ` (variance ×2.3)` when the test was widened for correlated samples.
    private static func inflation(_ f: GateFinding) -> String {
        f.dispersion > 1.005 ? " (variance ×\(String(format: "%.1f", f.dispersion)))" : ""
    }

    private static func describe(_ f: GateFinding, _ v: GateVerdict) -> String {
        let ranks = "rank \(f.baseRank.map(String.init) ?? "—") → \(f.candRank.map(String.init) ?? "—")"
        let relative = f.relativeChange.map(signedPercent) ?? "new"
        let shares = "\(percent(f.baseShare)) → \(percent(f.candShare)), \(relative)"
        switch f.trigger {
        case .enteredTopN:
            return "\(code(FunctionName.display(f.function, kind: f.kind))) entered the top \(v.rule.topN) by \(v.valueName) (\(ranks); \(shares))"
        case .grew:
            return "\(code(FunctionName.display(f.function, kind: f.kind))) grew by more than \(percent(v.rule.maxRelativeGrowth, digits: 0)) (\(ranks); \(shares))"
        }
    }

    static func code(_ name: String) -> String {
        "`" + name.replacingOccurrences(of: "`", with: "'").replacingOccurrences(of: "|", with: "\\|") + "`"
    }

    static func percent(_ share: Double, digits: Int = 2) -> String {
        String(format: "%.\(digits)f%%", share * 100)
    }

    static func signedPercent(_ share: Double) -> String { String(format: "%+.1f%%", share * 100) }

    static func points(_ share: Double) -> String { String(format: "%+.2f pts", share * 100) }

    /// The rule's floor (`--min-change`), e.g. `2 percentage points`.
    static func floor(_ rule: GateRule) -> String { String(format: "%g percentage points", rule.minAbsoluteChange * 100) }

    static func pValue(_ p: Double) -> String { p < 0.001 ? "< 0.001" : String(format: "%.3f", p) }

    private static func pRelation(_ p: Double) -> String { p < 0.001 ? "< 0.001" : "= " + pValue(p) }

    static func alpha(_ a: Double) -> String { String(format: "%.4g", a) }

    static func count(_ n: Double) -> String { String(format: "%.0f", n) }

    private static func value(_ v: Int64, _ verdict: GateVerdict) -> String {
        verdict.valueName == "self CPU" ? String(v) : String(format: "%.1f ms", Double(v) / 1e6)
    }
}
