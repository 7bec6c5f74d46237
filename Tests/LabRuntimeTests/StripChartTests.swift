import Foundation
import LabRuntime
import Testing

/// The overhead report's strip chart, checked against a stored expected SVG
/// (regenerate deliberately with FLAMELAB_UPDATE_FIXTURES=1).
@Suite struct StripChartTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/strip-chart.svg")

    static func chart() -> StripChart {
        StripChart(title: "overhead <pairs>", axisLabel: "overhead, %",
                   rows: [.init(label: "A/A control", values: [-2.4, -1.5, 0.2, -0.8, -1.9]),
                          .init(label: "flamelab 99 Hz fp", values: [0.3, 1.2, 7.7, 0.9, 2.0]),
                          .init(label: "perf -g 99 Hz", values: [])],
                   band: -2.4...0.2, bandLabel: "A/A range")
    }

    @Test func matchesTheStoredSVG() throws {
        let svg = Self.chart().svg()
        if ProcessInfo.processInfo.environment["FLAMELAB_UPDATE_FIXTURES"] == "1" {
            try svg.write(to: Self.fixture, atomically: true, encoding: .utf8)
        }
        #expect(svg == (try String(contentsOf: Self.fixture, encoding: .utf8)))
    }

    @Test func marksEveryValueAndOneMedianPerNonEmptyRow() {
        let svg = Self.chart().svg()
        #expect(svg.components(separatedBy: "<circle").count - 1 == 10)
        #expect(svg.components(separatedBy: "stroke-width=\"2.5\"").count - 1 == 2)
        #expect(svg.contains("overhead &lt;pairs&gt;"))
    }
}
