import Foundation
import FlameGraph

/// Small multiples: one panel per figure, the run number across, the figure's value up, each panel on
/// its own scale (figures have different units), the median as a dashed line. What a reader looks at
/// to see whether a figure is steady over repeated runs or wanders.
public struct RunSeriesChart: Sendable {
    /// One figure: its label and its value per run (NaN where a run had none).
    public struct Panel: Sendable {
        public var label: String
        public var values: [Double]

        public init(label: String, values: [Double]) {
            self.label = label
            self.values = values
        }

        var finite: [Double] { values.filter(\.isFinite) }
        var median: Double? { Statistics.median(finite) }
    }

    public var title: String
    public var series: [Panel]
    public var columns = 3
    private let panelWidth = 300.0, panelHeight = 130.0, margin = 36.0

    public init(title: String, series: [Panel]) {
        self.title = title
        self.series = series
    }

    public func svg() -> String {
        let rows = (series.count + columns - 1) / max(columns, 1)
        let width = Double(columns) * (panelWidth + margin) + margin
        let height = 50 + Double(rows) * (panelHeight + margin + 14)
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        out += "<text x=\"\(Int(width / 2))\" y=\"24\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">\(MarkupEscape.xml(title))</text>\n"
        for (index, figure) in series.enumerated() {
            let x = margin + Double(index % columns) * (panelWidth + margin)
            let y = 50 + Double(index / columns) * (panelHeight + margin + 14)
            out += panel(figure, x: x, y: y)
        }
        return out + "</svg>\n"
    }

    private func panel(_ figure: Panel, x: Double, y: Double) -> String {
        let label = figure.label
        var out = "<text x=\"\(f(x))\" y=\"\(f(y))\" font-weight=\"bold\">\(MarkupEscape.xml(label))</text>\n"
        let top = y + 8, bottom = y + panelHeight
        out += "<rect x=\"\(f(x))\" y=\"\(f(top))\" width=\"\(f(panelWidth))\" height=\"\(f(bottom - top))\" fill=\"#fafafa\" stroke=\"#ddd\"/>\n"
        let values = figure.finite
        guard let low = values.min(), let high = values.max() else {
            return out + "<text x=\"\(f(x + panelWidth / 2))\" y=\"\(f((top + bottom) / 2))\" text-anchor=\"middle\" fill=\"#999\">no values</text>\n"
        }
        let pad = max((high - low) * 0.15, abs(high) * 0.02, 1e-9)
        let span = (low - pad)...(high + pad)
        let count = max(figure.values.count, 1)
        func px(_ run: Int) -> Double { x + 14 + (panelWidth - 28) * (count == 1 ? 0.5 : Double(run) / Double(count - 1)) }
        func py(_ value: Double) -> Double { bottom - 6 - (bottom - top - 12) * (value - span.lowerBound) / (span.upperBound - span.lowerBound) }
        if let median = figure.median {
            out += "<line x1=\"\(f(x))\" y1=\"\(f(py(median)))\" x2=\"\(f(x + panelWidth))\" y2=\"\(f(py(median)))\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>\n"
        }
        for (run, value) in figure.values.enumerated() where value.isFinite {
            out += "<circle cx=\"\(f(px(run)))\" cy=\"\(f(py(value)))\" r=\"3.5\" fill=\"#c0392b\" fill-opacity=\"0.75\"/>"
        }
        out += "\n<text x=\"\(f(x + panelWidth))\" y=\"\(f(bottom + 13))\" text-anchor=\"end\" fill=\"#555\">\(MarkupEscape.xml(range(low, high, median: figure.median)))</text>\n"
        out += "<text x=\"\(f(x))\" y=\"\(f(bottom + 13))\" fill=\"#555\">runs 1-\(figure.values.count)</text>\n"
        return out
    }

    private func range(_ low: Double, _ high: Double, median: Double?) -> String {
        "median \(Self.number(median)), range \(Self.number(low))..\(Self.number(high))"
    }

    /// A figure with the digits its size deserves: 1234, 12.34, 0.1234.
    public static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "-" }
        return abs(value) >= 100 ? String(format: "%.0f", value) : abs(value) >= 1 ? String(format: "%.2f", value) : String(format: "%.4f", value)
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }
}
