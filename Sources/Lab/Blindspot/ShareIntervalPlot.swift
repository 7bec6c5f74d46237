import FlameGraph
import Foundation
import LabRuntime

/// A small hand-written SVG chart: groups of share estimates, each a dot with its 95% interval bar,
/// an optional true value per estimate (a black tick) and horizontal reference lines (the truth).
public struct ShareIntervalPlot: Sendable {
    public struct Point: Sendable {
        public var value: Double
        public var lower: Double
        public var upper: Double
        public var truth: Double?
        /// Shown on hover.
        public var note: String
        /// False for an estimate without samples: nothing is drawn.
        public var drawn: Bool

        public init(value: Double, lower: Double, upper: Double, truth: Double? = nil, note: String, drawn: Bool = true) {
            self.value = value
            self.lower = lower
            self.upper = upper
            self.truth = truth
            self.note = note
            self.drawn = drawn
        }

        public init(estimate: ShareEstimate, truth: Double? = nil) {
            self.init(value: estimate.share, lower: estimate.lower, upper: estimate.upper, truth: truth,
                      note: String(format: "%.2f%% ± %.2f (n=%d)", estimate.share * 100, estimate.halfWidth * 100, estimate.samples),
                      drawn: estimate.samples > 0)
        }
    }

    public struct Group: Sendable {
        public var label: String
        public var points: [Point]
        public var color: String
        public init(label: String, points: [Point], color: String) {
            self.label = label
            self.points = points
            self.color = color
        }
    }

    public struct ReferenceLine: Sendable {
        public var label: String
        public var value: Double
        public var color: String
        public init(label: String, value: Double, color: String) {
            self.label = label
            self.value = value
            self.color = color
        }
    }

    public var title: String
    public var yLabel: String
    public var groups: [Group]
    public var references: [ReferenceLine]
    /// Axis ticks as percentages (shares) or plain numbers.
    public var percentAxis: Bool

    public init(title: String, yLabel: String, groups: [Group], references: [ReferenceLine], percentAxis: Bool = true) {
        self.percentAxis = percentAxis
        self.title = title
        self.yLabel = yLabel
        self.groups = groups
        self.references = references
    }

    private let width = 960.0
    private let height = 480.0
    private let left = 70.0
    private let right = 20.0
    private let top = 40.0
    private let bottom = 110.0

    /// The chart as a standalone SVG document.
    public func svg() -> String {
        let (low, high) = yRange()
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let y = { (value: Double) -> Double in top + plotHeight * (1 - (value - low) / max(1e-9, high - low)) }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        out += text(width / 2, 22, MarkupEscape.xml(title), anchor: "middle", size: 14)
        out += axis(low: low, high: high, y: y, plotWidth: plotWidth)
        let band = plotWidth / Double(max(1, groups.count))
        for (index, group) in groups.enumerated() {
            out += drawGroup(group, x0: left + band * Double(index), band: band, y: y)
        }
        for (index, line) in references.enumerated() {
            let ly = f(y(line.value))
            out += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(ly)\" y2=\"\(ly)\" stroke=\"\(line.color)\" stroke-dasharray=\"6 4\" stroke-width=\"1.5\"/>\n"
            out += text(width - right - 4, y(line.value) - 4 - Double(index) * 12, MarkupEscape.xml(line.label), anchor: "end", color: line.color)
        }
        return out + "</svg>\n"
    }

    private func yRange() -> (Double, Double) {
        var values = references.map(\.value)
        for group in groups {
            for point in group.points where point.drawn {
                values += [point.lower, point.upper]
                if let truth = point.truth { values.append(truth) }
            }
        }
        let ceiling = percentAxis ? 1.0 : Double.greatestFiniteMagnitude
        let lowest = values.min() ?? 0
        let highest = values.max() ?? 1
        let pad = max(0.02 * max(1e-9, highest - lowest), percentAxis ? 0.01 : 0)
        let low = max(0, lowest - pad)
        let high = min(ceiling, max(highest + pad, low + 1e-6))
        return (low, high)
    }

    private func axis(low: Double, high: Double, y: (Double) -> Double, plotWidth: Double) -> String {
        var out = "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(height - top - bottom))\" fill=\"none\" stroke=\"#999\"/>\n"
        let step = niceStep((high - low) / 6)
        var tick = (low / step).rounded(.up) * step
        while tick <= high + 1e-9 {
            out += "<line x1=\"\(f(left - 4))\" x2=\"\(f(left + plotWidth))\" y1=\"\(f(y(tick)))\" y2=\"\(f(y(tick)))\" stroke=\"#eee\"/>\n"
            out += text(left - 6, y(tick) + 4, tickLabel(tick, step: step), anchor: "end")
            tick += step
        }
        let mid = top + (height - top - bottom) / 2
        out += "<text x=\"16\" y=\"\(f(mid))\" transform=\"rotate(-90 16 \(f(mid)))\" text-anchor=\"middle\">\(MarkupEscape.xml(yLabel))</text>\n"
        return out
    }

    private func drawGroup(_ group: Group, x0: Double, band: Double, y: (Double) -> Double) -> String {
        var out = "<line x1=\"\(f(x0))\" x2=\"\(f(x0))\" y1=\"\(f(top))\" y2=\"\(f(height - bottom))\" stroke=\"#ddd\"/>\n"
        let labelY = height - bottom + 14
        for (line, part) in group.label.split(separator: "\n").enumerated() {
            out += text(x0 + band / 2, labelY + Double(line) * 13, MarkupEscape.xml(String(part)), anchor: "middle")
        }
        let count = group.points.count
        for (index, point) in group.points.enumerated() where point.drawn {
            let x = x0 + band * (Double(index) + 1) / Double(count + 1)
            out += "<line x1=\"\(f(x))\" x2=\"\(f(x))\" y1=\"\(f(y(point.lower)))\" y2=\"\(f(y(point.upper)))\" stroke=\"\(group.color)\" stroke-width=\"\(count > 12 ? 1 : 2)\"/>\n"
            out += "<circle cx=\"\(f(x))\" cy=\"\(f(y(point.value)))\" r=\"\(count > 12 ? 2 : 3.5)\" fill=\"\(group.color)\"><title>\(MarkupEscape.xml(point.note))</title></circle>\n"
            if let truth = point.truth {
                let half = min(6, band / Double(count + 1) / 2)
                out += "<line x1=\"\(f(x - half))\" x2=\"\(f(x + half))\" y1=\"\(f(y(truth)))\" y2=\"\(f(y(truth)))\" stroke=\"black\" stroke-width=\"1.5\"/>\n"
            }
        }
        return out
    }

    private func tickLabel(_ value: Double, step: Double) -> String {
        let scaled = percentAxis ? value * 100 : value
        return String(format: "%g", (scaled * 1e6).rounded() / 1e6) + (percentAxis ? "%" : "")
    }

    private func niceStep(_ raw: Double) -> Double {
        let magnitude = pow(10, floor(log10(max(raw, 1e-6))))
        for factor in [1.0, 2.0, 2.5, 5.0, 10.0] where raw <= factor * magnitude { return factor * magnitude }
        return 10 * magnitude
    }

    private func text(_ x: Double, _ y: Double, _ body: String, anchor: String = "start", size: Int = 11, color: String = "#222") -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor)\" font-size=\"\(size)\" fill=\"\(color)\">\(body)</text>\n"
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }

}
