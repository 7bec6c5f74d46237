import ArgumentParser
import FlameGraph
import Foundation
import LabRuntime
import ProfileModel
import ProfileStore

/// `lab diff`: a differential flame graph of two profiles plus the table of changed functions.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Differential flame graph of BASE against CAND (SVG or HTML), and the changed-functions table.",
        discussion: """
        Widths come from CAND; both profiles are normalised to their own totals. Colour is the change of a \
        frame's self share: red grew, blue shrank, intensity by size. Frames new in CAND are hatched and \
        outlined; call paths gone from CAND are listed. The table ranks functions by the absolute change of \
        their self share, with counts and a two-proportion test's p-value (significant when p < --alpha). --json \
        writes the same table for machines. Memory profiles (alloc, inuse) are compared by estimated bytes, or \
        by estimated allocations with --sample-type objects; their tests count sampled allocations.

        From the profile store (`lab agent`), each side is a selection of key=value pairs (service, version, kind,
        pid, host, trace, from, to) over the range of --last or --from/--to; a side's own from/to wins, so the
        two sides may be two time ranges of one version (before and after an incident).

        Examples:
          lab diff results/profiles/v1-cpu.pb.gz results/profiles/v2-cpu.pb.gz -o diff.html
          lab diff v1.folded v2.folded -o diff.svg --json diff.json
          lab diff results/memory/inuse-at-alert.pb.gz results/memory/inuse-later.pb.gz -o grew.html --sample-type objects
          lab diff --store results/runs/profiles.sqlite --base version=v1 --cand version=v2 --last 10m -o diff.html
          lab diff --base version=v2,from=2026-12-01T20:00:00Z,to=2026-12-01T20:10:00Z --cand version=v2 --last 10m -o incident.html
        """
    )

    @Argument(help: "The base and candidate profile files (without --base/--cand).") var files: [String] = []
    @Option(name: .customLong("base"), help: "Store mode: the base selection, e.g. version=v1.") var baseSelection: String?
    @Option(name: .customLong("cand"), help: "Store mode: the candidate selection, e.g. version=v2.") var candidateSelection: String?
    @OptionGroup var range: StoreRange
    @OptionGroup var sampleType: SampleTypeOption
    @Option(name: .shortAndLong, help: "Output file: OUT.html or OUT.svg (mode 0600).") var output: String
    @Option(help: "Also write the changed-functions table as JSON here.") var json: String?
    @Option(help: "Title (default: service and versions of both sides).") var title: String?
    @Option(help: "Significance level for the table's marks.") var alpha: Double = 0.05
    @Option(help: "Rows printed to the terminal.") var top: Int = 10

    func validate() throws {
        guard ProfileOutput.Graph(path: output) != nil else { throw ValidationError("-o must end in .svg or .html; got '\(output)'") }
        guard alpha > 0, alpha < 1 else { throw ValidationError("--alpha must be between 0 and 1; got \(alpha)") }
        let store = baseSelection != nil || candidateSelection != nil
        if store {
            guard baseSelection != nil, candidateSelection != nil, files.isEmpty else {
                throw ValidationError("store mode takes --base and --cand (and no files)")
            }
        } else {
            guard files.count == 2 else { throw ValidationError("give two profile files (base, candidate), or --base and --cand with a store") }
        }
    }

    var base: String { files.first ?? baseSelection ?? "" }
    var candidate: String { files.count > 1 ? files[1] : candidateSelection ?? "" }

    /// The two sides: files, or selections of the store over one range, each valued as `--sample-type` says.
    func profiles() throws -> (Profile, Profile) {
        let (base, candidate) = try readProfiles()
        return (try sampleType.apply(base, source: self.base), try sampleType.apply(candidate, source: self.candidate))
    }

    private func readProfiles() throws -> (Profile, Profile) {
        guard let baseSelection, let candidateSelection else { return (try ProfileFile.read(files[0]), try ProfileFile.read(files[1])) }
        let store = try range.open()
        let sides = try [baseSelection, candidateSelection].map { text -> Profile in
            let selection = try range.applied(to: StoreSelection()).overridden(by: text, timePoint: TimePointParser.unixNs)
            let profile = try store.profile(query: try selection.query())
            guard !profile.samples.isEmpty else {
                throw FlamelabError.failed("diff", "selections", "no stored sample matches \(text) (\(selection.summary))", code: .input)
            }
            return profile
        }
        return (sides[0], sides[1])
    }

    func run() throws {
        let (baseProfile, candidateProfile) = try profiles()
        let changes = ProfileDiff.compute(base: baseProfile, candidate: candidateProfile)
        let renderer = DiffRenderer()
        let text: String
        switch ProfileOutput.Graph(path: output) ?? .html {
        case .svg: text = renderer.renderSVG(base: baseProfile, candidate: candidateProfile, changes: changes, alpha: alpha, title: title)
        case .html: text = renderer.renderHTML(base: baseProfile, candidate: candidateProfile, changes: changes, alpha: alpha, title: title)
        }
        try PrivateFile.write(text, to: output)
        let rows = DiffRenderer.rows(changes, alpha: alpha)
        print(Self.table(Array(rows.prefix(max(0, top)))))
        print("wrote \(output)")
        if let json {
            let report = DiffReport(base: base, candidate: candidate, baseTotal: baseProfile.totalValue,
                                    candidateTotal: candidateProfile.totalValue, kind: candidateProfile.metadata.kind.rawValue,
                                    alpha: alpha, changes: changes.filter { $0.baseSelf != 0 || $0.candSelf != 0 })
            try PrivateFile.writeJSON(report, to: json)
            print("wrote \(json)")
        }
    }

    /// The terminal table: the same columns as the graph's table.
    static func table(_ rows: [DiffTableRow]) -> String {
        var lines = [pad("function", 60, left: true) + pad("base", 9) + pad("cand", 9) + pad("change", 12) + pad("rel.", 9) + pad("n base", 9)
                     + pad("n cand", 9) + pad("p", 10)]
        for row in rows {
            let name = row.function.count > 56 ? String(row.function.prefix(54)) + ".." : row.function
            lines.append(pad((row.isNew ? "NEW " : "") + name, 60, left: true) + pad(NumberFormat.fixed(row.baseShare * 100, 2) + "%", 9)
                         + pad(NumberFormat.fixed(row.candidateShare * 100, 2) + "%", 9) + pad(row.absoluteChangeText, 12)
                         + pad(row.relativeChangeText, 9) + pad(NumberFormat.grouped(row.baseCount), 9)
                         + pad(NumberFormat.grouped(row.candidateCount), 9) + pad(row.pValueText + (row.significant ? "" : "*"), 10))
        }
        lines.append("(* = not significant at these sample counts)")
        return lines.joined(separator: "\n")
    }

    private static func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return left ? text + fill : fill + text
    }

    /// `--json`: the changed-functions table for machines.
    struct DiffReport: Encodable {
        var base: String
        var candidate: String
        var baseTotal: Int64
        var candidateTotal: Int64
        var kind: String
        var alpha: Double
        /// By |absolute self-share change| descending; functions with no self value on either side left out.
        var changes: [FunctionChange]
    }
}
