/// How `DwarfUnwinder` unwound its samples: with compiled rules (the fast path) or with libdwfl's
/// CFI interpreter (samples the rules do not cover), and what the optional cross-check found.
public struct DwarfUnwindCounts: Sendable, Equatable, Codable {
    /// Samples unwound by the compiled-rule walk.
    public var compiled = 0
    /// Samples unwound by libdwfl: a frame needed the interpreter, or compiled rules were off.
    public var interpreted = 0
    /// Compiled walks also unwound by libdwfl to compare (`DwarfUnwinder.crossCheck`).
    public var crossChecked = 0
    /// Cross-checked samples whose two PC lists differ.
    public var crossCheckMismatches = 0
    /// Compiled rules cached now, and rules compiled so far (cache misses).
    public var cachedRules = 0
    public var rulesCompiled = 0
    /// Why compiled walks handed samples to libdwfl, by the frame each stopped at: no module maps
    /// the pc; the CFI there needs the interpreter (expressions, signal frames); no CFI covers it; a
    /// saved register lies in a mapped file rather than the stack copy; the CFA did not grow.
    public var fallbackNoModule = 0
    public var fallbackUnsupportedRule = 0
    public var fallbackNoCFI = 0
    public var fallbackSlotInModule = 0
    public var fallbackCFANotGrowing = 0

    public init() {}

    /// One phrase for a run summary.
    public var summary: String {
        var text = "compiled rules \(compiled), libdwfl \(interpreted), \(rulesCompiled) rules compiled"
        let fallbacks = [("no module", fallbackNoModule), ("CFI needs the interpreter", fallbackUnsupportedRule),
                         ("no CFI", fallbackNoCFI), ("saved register in a mapped file", fallbackSlotInModule),
                         ("CFA not growing", fallbackCFANotGrowing)].filter { $0.1 > 0 }
        if !fallbacks.isEmpty {
            text += " (libdwfl because: " + fallbacks.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + ")"
        }
        if crossChecked > 0 { text += ", cross-checked \(crossChecked) with \(crossCheckMismatches) mismatches" }
        return text
    }
}
