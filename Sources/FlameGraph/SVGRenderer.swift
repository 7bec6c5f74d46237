import ProfileModel

/// Renders a profile as a static SVG flame graph for reports and READMEs.
///
/// Output is deterministic (pre-order boxes, fixed decimals, stable colours), so it can be checked
/// against stored expected files. Each box has a `<title>` tooltip with self and total value and %.
public struct SVGRenderer: Sendable {
    public var style: SVGStyle

    public init(style: SVGStyle = SVGStyle()) {
        self.style = style
    }

    /// The SVG document for `profile`; `title` overrides the default title.
    public func render(profile: Profile, title: String? = nil) -> String {
        render(tree: FlameTree(profile: profile), caption: ProfileCaption(profile: profile, title: title),
               unit: profile.metadata.valueUnit)
    }

    /// The SVG document for an already merged tree.
    public func render(tree: FlameTree, caption: ProfileCaption, unit: SampleValueUnit) -> String {
        let layout = FlameLayout(tree: tree, minWidth: style.minWidthFraction)
        let drawing = SVGFrameDrawing(style: style, tree: tree, layout: layout)
        var out = drawing.header(caption: caption)
        out += drawing.legend(FrameKindGroup.allCases.map { ($0.label, FlamePalette.legendColor(for: $0).css, "") })
        if tree.totalValue == 0 {
            out += "<text x=\"\(style.width / 2)\" y=\"\(SVGStyle.headerHeight + 12)\" text-anchor=\"middle\" fill=\"#a00\">No samples in this profile.</text>\n"
        }
        out += drawing.frames(
            fill: { node in node == 0 ? FlamePalette.root.css : FlamePalette.color(for: tree.nodes[node].frame).css },
            tooltip: { node in Self.tooltip(tree: tree, node: node, unit: unit) }
        )
        out += drawing.footer(extra: unit.measure)
        return out
    }

    /// Tooltip text: name (module), self and total value with % of all samples.
    static func tooltip(tree: FlameTree, node index: Int, unit: SampleValueUnit) -> String {
        let node = tree.nodes[index]
        let total = tree.totalValue
        var text = node.frame.name
        if !node.frame.module.isEmpty { text += " (\(node.frame.module))" }
        if index != 0 {
            text += "\nself: \(NumberFormat.value(node.selfValue, unit: unit)) (\(NumberFormat.percent(node.selfValue, of: total)))"
        }
        text += "\ntotal: \(NumberFormat.value(node.totalValue, unit: unit)) (\(NumberFormat.percent(node.totalValue, of: total)))"
        return text
    }
}
