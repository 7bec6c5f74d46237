import FlameGraph
import Foundation

/// A small SVG line chart for reports (latency over time and similar). Hand-written: no chart library
/// is available to a Swift package here, and the needs are modest: lines, axes, ticks, a legend.
public struct LineChart: Sendable {
    /// One line.
    public struct Series: Sendable {
        public var label: String
        public var color: String
        public var dashed: Bool
        public var points: [(x: Double, y: Double)]

        public init(label: String, color: String, dashed: Bool = false, points: [(x: Double, y: Double)]) {
            self.label = label
            self.color = color
            self.dashed = dashed
            self.points = points
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var width = 900.0
    public var height = 380.0

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    private var plot: (left: Double, top: Double, right: Double, bottom: Double) { (70, 40, width - 170, height - 50) }

    public func svg() -> String {
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }
        let xMax = max(xs.max() ?? 1, 1e-9), yMax = niceCeiling(max(ys.max() ?? 1, 1e-9))
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        out += "<text x=\"\(Int(width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">\(MarkupEscape.xml(title))</text>\n"
        out += axes(xMax: xMax, yMax: yMax)
        for (index, s) in series.enumerated() { out += line(s, index: index, xMax: xMax, yMax: yMax) }
        return out + "</svg>\n"
    }

    private func px(_ x: Double, _ xMax: Double) -> Double { plot.left + x / xMax * (plot.right - plot.left) }
    private func py(_ y: Double, _ yMax: Double) -> Double { plot.bottom - y / yMax * (plot.bottom - plot.top) }

    private func axes(xMax: Double, yMax: Double) -> String {
        var out = "<g stroke=\"#999\" stroke-width=\"1\">"
        out += "<line x1=\"\(plot.left)\" y1=\"\(plot.bottom)\" x2=\"\(plot.right)\" y2=\"\(plot.bottom)\"/>"
        out += "<line x1=\"\(plot.left)\" y1=\"\(plot.top)\" x2=\"\(plot.left)\" y2=\"\(plot.bottom)\"/></g>\n"
        for i in 0...5 {
            let y = yMax * Double(i) / 5, x = xMax * Double(i) / 5
            out += "<line x1=\"\(plot.left)\" y1=\"\(f(py(y, yMax)))\" x2=\"\(plot.right)\" y2=\"\(f(py(y, yMax)))\" stroke=\"#eee\"/>"
            out += "<text x=\"\(plot.left - 6)\" y=\"\(f(py(y, yMax) + 4))\" text-anchor=\"end\">\(tick(y))</text>"
            out += "<text x=\"\(f(px(x, xMax)))\" y=\"\(plot.bottom + 16)\" text-anchor=\"middle\">\(tick(x))</text>\n"
        }
        out += "<text x=\"\(f((plot.left + plot.right) / 2))\" y=\"\(height - 12)\" text-anchor=\"middle\">\(MarkupEscape.xml(xLabel))</text>\n"
        out += "<text transform=\"translate(18,\(f((plot.top + plot.bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(MarkupEscape.xml(yLabel))</text>\n"
        return out
    }

    private func line(_ s: Series, index: Int, xMax: Double, yMax: Double) -> String {
        let path = s.points.map { "\(f(px($0.x, xMax))),\(f(py($0.y, yMax)))" }.joined(separator: " ")
        let dash = s.dashed ? " stroke-dasharray=\"6,4\"" : ""
        let legendY = plot.top + 10 + Double(index) * 20
        return "<polyline fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\"\(dash) points=\"\(path)\"/>\n"
            + "<line x1=\"\(plot.right + 15)\" y1=\"\(f(legendY))\" x2=\"\(plot.right + 40)\" y2=\"\(f(legendY))\" stroke=\"\(s.color)\" stroke-width=\"2\"\(dash)/>"
            + "<text x=\"\(plot.right + 46)\" y=\"\(f(legendY + 4))\">\(MarkupEscape.xml(s.label))</text>\n"
    }

    private func niceCeiling(_ v: Double) -> Double {
        let magnitude = pow(10, floor(log10(v)))
        for step in [1.0, 2, 2.5, 5, 10] where step * magnitude >= v { return step * magnitude }
        return 10 * magnitude
    }

    private func tick(_ v: Double) -> String { v >= 100 || v == v.rounded() ? String(format: "%.0f", v) : String(format: "%.1f", v) }
    private func f(_ v: Double) -> String { String(format: "%.1f", v) }
}
