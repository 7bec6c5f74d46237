import ProfileModel

/// Renders a profile as ONE self-contained interactive HTML page (no network; opens from disk).
///
/// The page offers click-to-zoom and reset, search with % of samples matched, tooltips with self
/// and total value and %, a flame/icicle toggle, the top self functions beside the graph, and a
/// trace-id filter when samples carry trace ids. The Swift side builds the initial tree (the same
/// `FlameTree` the SVG draws) and the data; the script lays it out with `FlameLayout`'s maths and
/// re-aggregates per-trace samples in the browser when the filter changes.
public struct HTMLRenderer: Sendable {
    public var orientation: FlameOrientation
    /// How many trace ids (most samples first) the filter's suggestion list offers.
    static let listedTraceIDs = 500

    public init(orientation: FlameOrientation = .flame) {
        self.orientation = orientation
    }

    /// The page for `profile`. `traceFilter` (ids or prefixes) selects the samples shown first;
    /// the page can change it since it carries every trace's samples.
    public func render(profile: Profile, title: String? = nil, traceFilter: TraceIDFilter = TraceIDFilter("")) -> String {
        let tree = FlameTree(profile: profile, include: traceFilter.matches)
        let table = FlameFrameTable(tree: tree, profileFrames: profile.frames)
        let traces = TraceSampleData(profile: profile, table: table)
        var caption = ProfileCaption(profile: profile, title: title)
        if !traceFilter.isEmpty {
            caption.subtitle += " · trace filter: \(traceFilter.text)"
        }
        var json = JSONWriter()
        json.string("mode", "profile")
        json.string("kind", profile.metadata.kind.rawValue)
        json.string("unit", profile.metadata.valueUnit.rawValue)
        json.string("measure", profile.metadata.valueUnit.measure)
        json.string("orientation", orientation.rawValue)
        json.string("filter", traceFilter.text)
        json.int("allTotal", profile.totalValue)
        Self.writeFrames(table: table, into: &json)
        json.ints("tree", Self.flatTree(tree, table: table))
        if !traces.traceIDs.isEmpty {
            json.intArrays("stacks", traces.stacks)
            json.ints("samples", traces.samples)
            json.strings("traces", traces.traceIDs)
        }
        let page = HTMLPage(
            caption: caption,
            legend: FrameKindGroup.allCases.map { ($0.label, FlamePalette.legendColor(for: $0).css, false) },
            dataJSON: json.result,
            sideHTML: Self.sideHTML(profile.metadata),
            // The list offers the most-sampled traces; any id or prefix can still be typed.
            traceIDs: Array(traces.traceIDs.prefix(Self.listedTraceIDs)),
            initialFilter: traceFilter.text
        )
        return page.render()
    }

    static func sideHTML(_ meta: ProfileMetadata) -> String {
        switch meta.kind {
        case .cpu:
            return "<h2>Top self functions</h2><p class=\"hint\">Share of samples where the function is the leaf (on CPU itself). Click to highlight it in the graph.</p><ol id=\"top\"></ol>"
        case .alloc, .inuse:
            return "<h2>Top allocating functions</h2><p class=\"hint\">Share of the \(meta.valueUnit.measure) by the function that called the allocator. Click to highlight it in the graph.</p><ol id=\"top\"></ol>"
        case .offcpu:
            return "<h2>Top blocking functions</h2><p class=\"hint\">Share of off-CPU time by the first frame above the kernel on the blocked stack (the blocking call). Click to highlight it in the graph.</p><ol id=\"top\"></ol>"
        case .faults:
            return "<h2>Top faulting functions</h2><p class=\"hint\">Share of the \(meta.valueUnit.measure) by the function whose touch mapped a new page (where resident memory grows). Click to highlight it in the graph.</p><ol id=\"top\"></ol>"
        }
    }

    /// Frame table arrays: names, modules, colour group, colour; plus palette entries.
    static func writeFrames(table: FlameFrameTable, into json: inout JSONWriter) {
        var colors: [String] = []
        var colorIndex: [String: Int] = [:]
        var frameColors: [Int64] = []
        for frame in table.frames {
            let css = FlamePalette.color(for: frame).css
            if colorIndex[css] == nil {
                colorIndex[css] = colors.count
                colors.append(css)
            }
            frameColors.append(Int64(colorIndex[css]!))
        }
        json.strings("names", table.frames.map(\.name))
        json.strings("labels", table.frames.map(\.displayName))
        json.strings("modules", table.frames.map(\.module))
        json.ints("groups", table.frames.map { Int64(FrameKindGroup.allCases.firstIndex(of: FrameKindGroup($0.kind))!) })
        json.strings("groupLabels", FrameKindGroup.allCases.map(\.label))
        json.ints("frameColors", frameColors)
        json.strings("colors", colors)
        json.string("rootColor", FlamePalette.root.css)
        json.string("highlight", FlamePalette.highlight.css)
    }

    /// Pre-order `[frame, self, total, childCount]` quadruples; the root's frame is -1.
    static func flatTree(_ tree: FlameTree, table: FlameFrameTable) -> [Int64] {
        var flat: [Int64] = []
        flat.reserveCapacity(tree.nodes.count * 4)
        for (i, node) in tree.nodes.enumerated() {
            flat.append(i == 0 ? -1 : Int64(table.number(of: node.frame)))
            flat.append(node.selfValue)
            flat.append(node.totalValue)
            flat.append(Int64(node.children.count))
        }
        return flat
    }
}
