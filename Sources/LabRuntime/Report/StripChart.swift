import FlameGraph
import Foundation

/// A horizontal strip chart: one row per group, every measurement a dot, the median a bar, and an
/// optional shaded band (e.g. the A/A control's range) behind all rows. Values may be negative.
public struct StripChart: Sendable {
    /// One row: its label, its measurements, and optionally an interval (drawn as a band behind the dots).
    public struct Row: Sendable {
        public var label: String
        public var values: [Double]
        /// E.g. the 95% interval of the median.
        public var interval: ClosedRange<Double>?

        public init(label: String, values: [Double], interval: ClosedRange<Double>? = nil) {
            self.label = label
            self.values = values
            self.interval = interval
        }
    }

    public var title: String
    public var axisLabel: String
    public var rows: [Row]
    /// Shaded from lowerBound to upperBound, labelled `bandLabel`.
    public var band: ClosedRange<Double>?
    public var bandLabel = ""
    public var width = 900.0
    private let rowHeight = 28.0
    private let left = 230.0, right = 870.0, top = 48.0

    public init(title: String, axisLabel: String, rows: [Row], band: ClosedRange<Double>? = nil, bandLabel: String = "") {
        self.title = title
        self.axisLabel = axisLabel
        self.rows = rows
        self.band = band
        self.bandLabel = bandLabel
    }

    public func svg() -> String {
        let all = rows.flatMap(\.values) + rows.compactMap(\.interval).flatMap { [$0.lowerBound, $0.upperBound] } + [0] + (band.map { [$0.lowerBound, $0.upperBound] } ?? [])
        let (span, unit) = niceSpan(min: all.min() ?? -1, max: all.max() ?? 1)
        let bottom = top + rowHeight * Double(rows.count)
        let height = bottom + 52
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        out += "<text x=\"\(Int(width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">\(MarkupEscape.xml(title))</text>\n"
        if let band {
            out += "<rect x=\"\(f(x(band.lowerBound, span)))\" y=\"\(f(top))\" width=\"\(f(x(band.upperBound, span) - x(band.lowerBound, span)))\" height=\"\(f(bottom - top))\" fill=\"#dde8f5\"/>\n"
            out += "<text x=\"\(f(x(band.upperBound, span) + 4))\" y=\"\(f(top - 6))\" fill=\"#4a6fa5\">\(MarkupEscape.xml(bandLabel))</text>\n"
        }
        out += ticks(span, unit: unit, bottom: bottom)
        for (index, row) in rows.enumerated() { out += self.row(row, y: top + rowHeight * (Double(index) + 0.5), span: span) }
        out += "<text x=\"\(f((left + right) / 2))\" y=\"\(f(bottom + 40))\" text-anchor=\"middle\">\(MarkupEscape.xml(axisLabel))</text>\n"
        return out + "</svg>\n"
    }

    private func row(_ row: Row, y: Double, span: ClosedRange<Double>) -> String {
        var out = "<text x=\"\(f(left - 10))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(MarkupEscape.xml(row.label))</text>"
        out += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(right))\" y2=\"\(f(y))\" stroke=\"#f0f0f0\"/>"
        if let interval = row.interval {
            out += "<rect x=\"\(f(x(interval.lowerBound, span)))\" y=\"\(f(y - 6))\" width=\"\(f(Swift.max(x(interval.upperBound, span) - x(interval.lowerBound, span), 1)))\" height=\"12\" fill=\"#2c7fb8\" fill-opacity=\"0.3\"/>"
        }
        for value in row.values {
            out += "<circle cx=\"\(f(x(value, span)))\" cy=\"\(f(y))\" r=\"4\" fill=\"#c0392b\" fill-opacity=\"0.55\"/>"
        }
        if let median = Statistics.median(row.values) {
            out += "<line x1=\"\(f(x(median, span)))\" y1=\"\(f(y - 9))\" x2=\"\(f(x(median, span)))\" y2=\"\(f(y + 9))\" stroke=\"#222\" stroke-width=\"2.5\"/>"
        }
        return out + "\n"
    }

    private func ticks(_ span: ClosedRange<Double>, unit: Double, bottom: Double) -> String {
        var out = ""
        var value = span.lowerBound
        while value <= span.upperBound + unit / 2 {
            let color = abs(value) < unit / 100 ? "#888" : "#eee"
            out += "<line x1=\"\(f(x(value, span)))\" y1=\"\(f(top))\" x2=\"\(f(x(value, span)))\" y2=\"\(f(bottom))\" stroke=\"\(color)\"/>"
            out += "<text x=\"\(f(x(value, span)))\" y=\"\(f(bottom + 16))\" text-anchor=\"middle\">\(label(value, unit: unit))</text>\n"
            value += unit
        }
        return out
    }

    private func label(_ value: Double, unit: Double) -> String {
        abs(value) < unit / 100 ? "0" : String(format: unit < 1 ? "%+.1f" : "%+.0f", value)
    }

    /// Round ends that hold every value, and a tick unit giving about 4-12 ticks.
    private func niceSpan(min lower: Double, max upper: Double) -> (ClosedRange<Double>, Double) {
        let extent = Swift.max(upper - lower, 1e-9)
        let magnitude = pow(10, floor(log10(extent)))
        let unit = [0.1, 0.2, 0.25, 0.5, 1, 2].map { $0 * magnitude }.first { extent / $0 <= 12 } ?? magnitude
        return ((floor(lower / unit) * unit)...(ceil(upper / unit) * unit), unit)
    }

    private func x(_ value: Double, _ span: ClosedRange<Double>) -> Double {
        left + (value - span.lowerBound) / Swift.max(span.upperBound - span.lowerBound, 1e-9) * (right - left)
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }
}
