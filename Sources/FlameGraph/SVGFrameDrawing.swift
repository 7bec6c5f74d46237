/// Draws laid-out boxes as SVG groups: the part the single-profile and differential SVGs share.
struct SVGFrameDrawing {
    let style: SVGStyle
    let tree: FlameTree
    let layout: FlameLayout

    var graphHeight: Int { (layout.maxDepth + 1) * style.rowHeight }

    /// Total image height for this layout.
    var imageHeight: Int { SVGStyle.headerHeight + graphHeight + SVGStyle.footerHeight }

    /// The `<g>` elements of every box. The closures take a node index: `fill` its colour, `tooltip`
    /// its `<title>` text, `textFill` a label colour (nil: default), `overlay` extra SVG drawn over
    /// the box (e.g. the NEW hatch), given the box's x, y, width and height as formatted strings.
    func frames(fill: (Int) -> String, tooltip: (Int) -> String, textFill: (Int) -> String? = { _ in nil },
                overlay: (Int, [String]) -> String = { _, _ in "" }) -> String {
        var out = ""
        let pad = Double(SVGStyle.sidePadding)
        let row = Double(style.rowHeight)
        for rect in layout.rects {
            let name = tree.nodes[rect.node].frame.displayName
            let x = pad + rect.x * style.graphWidth
            let w = rect.width * style.graphWidth
            let y = Double(rowTop(depth: rect.depth))
            out += "<g class=\"f\"><title>\(MarkupEscape.xml(tooltip(rect.node)))</title>"
            let box = [NumberFormat.fixed(x, 2), NumberFormat.fixed(y, 0), NumberFormat.fixed(w, 2), NumberFormat.fixed(row - 1, 0)]
            out += "<rect x=\"\(box[0])\" y=\"\(box[1])\" width=\"\(box[2])\" height=\"\(box[3])\" fill=\"\(fill(rect.node))\" rx=\"2\"/>"
            out += overlay(rect.node, box)
            let label = FrameLabel.fit(name, pixels: w, fontSize: Double(style.fontSize))
            if !label.isEmpty {
                let baseline = y + row - 1 - (row - 1 - Double(style.fontSize)) / 2 - 2
                let color = textFill(rect.node).map { " fill=\"\($0)\"" } ?? ""
                out += "<text x=\"\(NumberFormat.fixed(x + 3, 2))\" y=\"\(NumberFormat.fixed(baseline, 1))\"\(color)>\(MarkupEscape.xml(label))</text>"
            }
            out += "</g>\n"
        }
        return out
    }

    /// The top edge of row `depth`, honouring the orientation.
    func rowTop(depth: Int) -> Int {
        switch style.orientation {
        case .flame: return SVGStyle.headerHeight + (layout.maxDepth - depth) * style.rowHeight
        case .icicle: return SVGStyle.headerHeight + depth * style.rowHeight
        }
    }

    /// Opening tag, background, title and subtitle.
    func header(caption: ProfileCaption, height: Int? = nil) -> String {
        let mid = style.width / 2
        let imageHeight = height ?? self.imageHeight
        return """
        <?xml version="1.0" encoding="UTF-8" standalone="no"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(style.width)" height="\(imageHeight)" viewBox="0 0 \(style.width) \(imageHeight)" font-family="Verdana, 'DejaVu Sans', sans-serif" font-size="\(style.fontSize)">
        <style>.f text { fill: #1a1a1a; pointer-events: none; } .f:hover rect { stroke: #222; stroke-width: 0.8; } .legend { font-size: 11px; fill: #333; } .note { font-size: 11px; fill: #555; }</style>
        <rect x="0" y="0" width="\(style.width)" height="\(imageHeight)" fill="#fbfbfd"/>
        <text x="\(mid)" y="24" text-anchor="middle" font-size="17" font-weight="bold" fill="#111">\(MarkupEscape.xml(caption.title))</text>
        <text x="\(mid)" y="44" text-anchor="middle" font-size="12" fill="#444">\(MarkupEscape.xml(caption.subtitle))</text>

        """
    }

    /// A legend row at the header's bottom: coloured squares with labels.
    func legend(_ entries: [(label: String, fill: String, extra: String)]) -> String {
        var out = ""
        var x = Double(SVGStyle.sidePadding)
        for entry in entries {
            out += "<rect x=\"\(NumberFormat.fixed(x, 0))\" y=\"58\" width=\"12\" height=\"12\" fill=\"\(entry.fill)\" rx=\"2\"\(entry.extra)/>"
            out += "<text class=\"legend\" x=\"\(NumberFormat.fixed(x + 17, 0))\" y=\"68\">\(MarkupEscape.xml(entry.label))</text>\n"
            x += 17 + Double(entry.label.count) * 6.6 + 22
        }
        return out
    }

    /// The footer: how to read the x-axis and how much was elided; `close` ends the document.
    func footer(extra: String, close: Bool = true) -> String {
        var note = "x-axis: alphabetical, not time; width = share of \(extra)"
        if layout.elidedNodes > 0 {
            note += "; \(NumberFormat.grouped(Int64(layout.elidedNodes))) frames narrower than \(NumberFormat.fixed(style.minWidthPixels, 1)) px not drawn"
        }
        let y = SVGStyle.headerHeight + graphHeight + 20
        return "<text class=\"note\" x=\"\(SVGStyle.sidePadding)\" y=\"\(y)\">\(MarkupEscape.xml(note))</text>\n" + (close ? "</svg>\n" : "")
    }
}
