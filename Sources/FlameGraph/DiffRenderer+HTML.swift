import ProfileModel

extension DiffRenderer {
    /// The self-contained HTML page for an adapted diff: the graph with zoom, search, tooltips and
    /// orientation toggle, the changed-functions table and the gone call paths beside it.
    /// `metadata` is the candidate's (its kind and the unit its widths are in).
    func html(_ data: DiffFlameData, rows: [DiffTableRow], caption: ProfileCaption, metadata: ProfileMetadata = ProfileMetadata()) -> String {
        let scale = data.colorScale
        let table = FlameFrameTable(tree: data.tree)
        var json = JSONWriter()
        json.string("mode", "diff")
        json.string("kind", metadata.kind.rawValue)
        json.string("unit", metadata.valueUnit.rawValue)
        json.string("measure", "candidate " + metadata.valueUnit.measure)
        json.string("orientation", style.orientation.rawValue)
        json.string("filter", "")
        json.int("allTotal", data.candidateTotalValue)
        HTMLRenderer.writeFrames(table: table, into: &json)
        json.ints("tree", HTMLRenderer.flatTree(data.tree, table: table))

        var colors: [String] = []
        var colorIndex: [String: Int64] = [:]
        var nodeColors: [Int64] = []
        for node in data.tree.nodes.indices {
            let css = color(data, node, scale: scale).css
            if colorIndex[css] == nil {
                colorIndex[css] = Int64(colors.count)
                colors.append(css)
            }
            nodeColors.append(colorIndex[css]!)
        }
        json.strings("diffColors", colors)
        json.ints("nodeColors", nodeColors)
        json.ints("isNew", data.isNew.map { $0 ? 1 : 0 })
        json.ints("lightText", data.tree.nodes.indices.map {
            $0 > 0 && DiffPalette.needsLightText(delta: data.selfShareChange($0), scale: scale) ? 1 : 0
        })
        json.strings("diffTips", data.tree.nodes.indices.map {
            Self.tooltipLines(data, $0).map(MarkupEscape.xml).joined(separator: "<br>")
        })
        let page = HTMLPage(
            caption: caption,
            legend: Self.legend(scale: scale),
            dataJSON: json.result,
            sideHTML: sidePanel(rows: Array(rows.prefix(tableRows)), gone: Array(data.gone.prefix(goneRows)), data: data),
            traceIDs: [],
            initialFilter: "",
            mode: "diff"
        )
        return page.render()
    }

    private func sidePanel(rows: [DiffTableRow], gone: [(path: [Frame], baseTotal: Int64)], data: DiffFlameData) -> String {
        var html = "<h2>Top changed functions (self share)</h2>"
        html += "<p class=\"hint\">Shares of each profile's own total. p: two-proportion test of the self share; grey = not significant at these sample counts (noise). Click a row to highlight.</p>"
        html += "<table class=\"changes\"><thead><tr><th>function</th><th>base</th><th>cand</th><th>change</th><th>rel.</th><th>n base</th><th>n cand</th><th>p</th></tr></thead><tbody>"
        if rows.isEmpty { html += "<tr><td colspan=\"8\">No function changed.</td></tr>" }
        for row in rows {
            let direction = row.candidateShare >= row.baseShare ? "up" : "down"
            html += "<tr data-fn=\"\(MarkupEscape.xml(row.function))\" title=\"\(MarkupEscape.xml(row.function))\">"
            html += "<td>\(row.isNew ? "<span class=\"tag\">NEW</span>" : "")\(MarkupEscape.xml(FunctionName.display(row.function, kind: row.kind)))</td>"
            html += "<td>\(NumberFormat.fixed(row.baseShare * 100, 2))%</td><td>\(NumberFormat.fixed(row.candidateShare * 100, 2))%</td>"
            html += "<td class=\"\(direction)\">\(row.absoluteChangeText)</td><td class=\"\(direction)\">\(row.relativeChangeText)</td>"
            html += "<td>\(NumberFormat.grouped(row.baseCount))</td><td>\(NumberFormat.grouped(row.candidateCount))</td>"
            let pText = row.pValueText.replacingOccurrences(of: "p=", with: "").replacingOccurrences(of: "p<", with: "<")
            html += "<td\(row.significant ? "" : " class=\"ns\" title=\"not significant at these sample counts\"")>\(pText)</td></tr>"
        }
        html += "</tbody></table>"
        html += "<h3>Gone from candidate</h3>"
        if gone.isEmpty {
            html += "<p class=\"hint\">No call path disappeared.</p>"
        } else {
            html += "<ul class=\"gone\">"
            for entry in gone {
                let path = entry.path.reversed().map(\.name).joined(separator: " ← ")
                html += "<li title=\"\(MarkupEscape.xml(path))\">\(NumberFormat.percent(entry.baseTotal, of: data.baseTotalValue)) of base: \(MarkupEscape.xml(entry.path.last?.displayName ?? "?"))</li>"
            }
            html += "</ul>"
        }
        return html
    }
}
