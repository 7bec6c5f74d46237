import ProfileModel

/// Renders a differential flame graph (SVG or self-contained HTML).
///
/// Widths come from the candidate; both profiles are normalised to their own totals. A box's colour
/// is the change of its self share: red grew, blue shrank, intensity by size (see `DiffPalette`).
/// Boxes for call paths new in the candidate are hatched and outlined and say NEW in their tooltip;
/// call paths gone from the candidate are listed. A table of the top changed functions by self share
/// (shares, absolute and relative change, counts, significance) goes beside (HTML) or below (SVG).
public struct DiffRenderer: Sendable {
    public var style: SVGStyle
    /// Rows of the changed-functions table.
    public var tableRows: Int
    /// Gone call paths listed.
    public var goneRows: Int

    public init(style: SVGStyle = SVGStyle(), tableRows: Int = 15, goneRows: Int = 12) {
        self.style = style
        self.tableRows = tableRows
        self.goneRows = goneRows
    }

    static let legendNote = "widths from candidate; colour = change in self share"

    static func legend(scale: Double) -> [(label: String, fill: String, isNew: Bool)] {
        let pp = NumberFormat.fixed(max(scale, DiffPalette.minimumScale) * 100, 2)
        return [
            ("self share grew (full red = +\(pp) pp)", DiffPalette.grew.css, false),
            ("shrank (full blue = -\(pp) pp)", DiffPalette.shrank.css, false),
            ("unchanged", DiffPalette.neutral.css, false),
            ("NEW in candidate", DiffPalette.neutral.css, true),
        ]
    }

    func color(_ data: DiffFlameData, _ node: Int, scale: Double) -> RGBColor {
        node == 0 ? DiffPalette.neutral : DiffPalette.color(delta: data.selfShareChange(node), scale: scale)
    }

    /// Tooltip lines (without the name) for a node: NEW mark, self and total shares both sides, counts.
    static func tooltipLines(_ data: DiffFlameData, _ node: Int) -> [String] {
        func pc(_ x: Double) -> String { NumberFormat.fixed(x * 100, 2) + "%" }
        var lines: [String] = []
        if data.isNew[node] { lines.append("NEW in candidate (no base samples on this path)") }
        let delta = data.selfShareChange(node) * 100
        lines.append("self: base \(pc(data.baseSelfShare(node))) → cand \(pc(data.candidateSelfShare(node))) (\(delta >= 0 ? "+" : "")\(NumberFormat.fixed(delta, 2)) pp)")
        lines.append("total: base \(pc(data.baseTotalShare(node))) → cand \(pc(data.candidateTotalShare(node)))")
        lines.append("samples (self/total): base \(NumberFormat.grouped(data.baseSelf[node]))/\(NumberFormat.grouped(data.baseTotal[node])), cand \(NumberFormat.grouped(data.tree.nodes[node].selfValue))/\(NumberFormat.grouped(data.tree.nodes[node].totalValue))")
        return lines
    }

    // MARK: SVG

    /// The SVG document for an adapted diff; `metadata` is the candidate's (the unit its widths are in).
    func svg(_ data: DiffFlameData, rows: [DiffTableRow], caption: ProfileCaption, metadata: ProfileMetadata = ProfileMetadata()) -> String {
        let layout = FlameLayout(tree: data.tree, minWidth: style.minWidthFraction)
        let drawing = SVGFrameDrawing(style: style, tree: data.tree, layout: layout)
        let scale = data.colorScale
        let tableTop = drawing.imageHeight
        let shownRows = Array(rows.prefix(tableRows))
        let shownGone = Array(data.gone.prefix(goneRows))
        let tableHeight = 40 + 18 * max(1, shownRows.count) + 30 + 16 * max(1, shownGone.count) + 16
        var out = drawing.header(caption: caption, height: tableTop + tableHeight)
        out += "<defs><pattern id=\"hatch\" width=\"7\" height=\"7\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"1.6\" height=\"7\" fill=\"rgba(0,0,0,0.28)\"/></pattern></defs>\n"
        out += drawing.legend(Self.legend(scale: scale).map {
            ($0.label, $0.fill, $0.isNew ? " stroke=\"#111\" stroke-width=\"1.2\"" : "")
        })
        out += "<rect x=\"\(legendHatchX())\" y=\"58\" width=\"12\" height=\"12\" fill=\"url(#hatch)\"/>\n"
        out += drawing.frames(
            fill: { color(data, $0, scale: scale).css },
            tooltip: { node in
                var name = data.tree.nodes[node].frame.name
                if !data.tree.nodes[node].frame.module.isEmpty { name += " (\(data.tree.nodes[node].frame.module))" }
                return ([name] + Self.tooltipLines(data, node)).joined(separator: "\n")
            },
            textFill: { node in node > 0 && DiffPalette.needsLightText(delta: data.selfShareChange(node), scale: scale) ? "#fff" : nil },
            overlay: { node, box in
                guard data.isNew[node] else { return "" }
                return "<rect x=\"\(box[0])\" y=\"\(box[1])\" width=\"\(box[2])\" height=\"\(box[3])\" fill=\"url(#hatch)\" stroke=\"#111\" stroke-width=\"1.5\" stroke-dasharray=\"3 2\" rx=\"2\"/>"
            }
        )
        out += drawing.footer(extra: "candidate " + metadata.valueUnit.measure, close: false)
        out += svgTable(rows: shownRows, gone: shownGone, top: tableTop, data: data)
        out += "</svg>\n"
        return out
    }

    /// x of the NEW legend swatch (the fourth entry), matching `SVGFrameDrawing.legend`'s spacing.
    private func legendHatchX() -> String {
        var x = Double(SVGStyle.sidePadding)
        for entry in Self.legend(scale: 0).prefix(3) { x += 17 + Double(entry.label.count) * 6.6 + 22 }
        return NumberFormat.fixed(x, 0)
    }

    private func svgTable(rows: [DiffTableRow], gone: [(path: [Frame], baseTotal: Int64)], top: Int, data: DiffFlameData) -> String {
        let pad = SVGStyle.sidePadding
        let columns: [(String, Int, String)] = [
            ("function (top changed by self share)", pad, "start"), ("base", 560, "end"), ("cand", 640, "end"),
            ("change", 740, "end"), ("relative", 830, "end"), ("base n", 910, "end"), ("cand n", 990, "end"),
            ("significance", 1100, "end"),
        ]
        var out = "<g class=\"table\" font-size=\"12\">\n"
        var y = top + 4
        for (title, x, anchor) in columns {
            out += "<text x=\"\(x)\" y=\"\(y)\" text-anchor=\"\(anchor)\" font-weight=\"bold\" fill=\"#333\">\(MarkupEscape.xml(title))</text>"
        }
        out += "\n<line x1=\"\(pad)\" y1=\"\(y + 6)\" x2=\"\(style.width - pad)\" y2=\"\(y + 6)\" stroke=\"#bbb\"/>\n"
        y += 22
        if rows.isEmpty {
            out += "<text x=\"\(pad)\" y=\"\(y)\" fill=\"#666\">No function changed.</text>\n"
            y += 18
        }
        for row in rows {
            let grew = row.candidateShare >= row.baseShare
            let changeColor = grew ? DiffPalette.grew.css : DiffPalette.shrank.css
            let name = FrameLabel.fit(FunctionName.display(row.function, kind: row.kind), pixels: 470, fontSize: 12) + (row.isNew ? "  [NEW]" : "")
            let cells = [
                NumberFormat.fixed(row.baseShare * 100, 2) + "%", NumberFormat.fixed(row.candidateShare * 100, 2) + "%",
                row.absoluteChangeText, row.relativeChangeText, NumberFormat.grouped(row.baseCount),
                NumberFormat.grouped(row.candidateCount), row.pValueText + (row.significant ? " ✓" : " (noise)"),
            ]
            out += "<text x=\"\(pad)\" y=\"\(y)\" fill=\"#111\">\(MarkupEscape.xml(name))</text>"
            for (i, cell) in cells.enumerated() {
                let fill = (i == 2 || i == 3) ? changeColor : (i == 6 && !row.significant ? "#888" : "#222")
                out += "<text x=\"\(columns[i + 1].1)\" y=\"\(y)\" text-anchor=\"end\" fill=\"\(fill)\">\(MarkupEscape.xml(cell))</text>"
            }
            out += "\n"
            y += 18
        }
        y += 16
        out += "<text x=\"\(pad)\" y=\"\(y)\" font-weight=\"bold\" fill=\"#333\">Gone from candidate (call paths with base samples only, base share of total)</text>\n"
        y += 18
        if gone.isEmpty {
            out += "<text x=\"\(pad)\" y=\"\(y)\" fill=\"#666\">none</text>\n"
        }
        for entry in gone {
            let share = NumberFormat.percent(entry.baseTotal, of: data.baseTotalValue)
            // Leaf first, then its callers: the function that vanished is what a reader looks for.
            let path = entry.path.reversed().map(\.displayName).joined(separator: " ← ")
            out += "<text x=\"\(pad)\" y=\"\(y)\" fill=\"#333\">\(MarkupEscape.xml(share + "  " + FrameLabel.fit(path, pixels: Double(style.width - 120), fontSize: 12)))</text>\n"
            y += 16
        }
        return out + "</g>\n"
    }
}

extension DiffRenderer {
    /// The differential SVG of `base` against `candidate`. `changes` is the changed-functions table
    /// (computed with `ProfileDiff` when nil); a change is marked significant when its p < `alpha`.
    public func renderSVG(base: Profile, candidate: Profile, changes: [FunctionChange]? = nil, alpha: Double = 0.05,
                          title: String? = nil) -> String {
        svg(DiffFlameData(diffTree: DiffTree(base: base, candidate: candidate)),
            rows: Self.rows(changes ?? ProfileDiff.compute(base: base, candidate: candidate), alpha: alpha),
            caption: ProfileCaption(base: base, candidate: candidate, title: title), metadata: candidate.metadata)
    }

    /// The differential HTML page of `base` against `candidate` (see `renderSVG` for the arguments).
    public func renderHTML(base: Profile, candidate: Profile, changes: [FunctionChange]? = nil, alpha: Double = 0.05,
                           title: String? = nil) -> String {
        html(DiffFlameData(diffTree: DiffTree(base: base, candidate: candidate)),
             rows: Self.rows(changes ?? ProfileDiff.compute(base: base, candidate: candidate), alpha: alpha),
             caption: ProfileCaption(base: base, candidate: candidate, title: title), metadata: candidate.metadata)
    }

    /// Table rows for `changes` (kept in their order, which `ProfileDiff` makes |change| descending).
    public static func rows(_ changes: [FunctionChange], alpha: Double) -> [DiffTableRow] {
        // Functions with no self value on either side (callers only) have no self share to compare.
        changes.filter { $0.baseSelf != 0 || $0.candSelf != 0 }.map { DiffTableRow(change: $0, alpha: alpha) }
    }
}
