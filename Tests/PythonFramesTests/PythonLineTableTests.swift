import ProfileModel
import Foundation
import Testing
import Symbolize

/// The 3.11 location-table decoder against tables and lines produced by CPython 3.11 itself
/// (Fixtures/linetable_cases.json, made by Fixtures/make_linetable_cases.py).
struct PythonLineTableTests {
    struct Case: Decodable {
        var name: String
        var firstLine: Int
        var table: String
        var lines: [[Int?]]
    }

    struct Cases: Decodable {
        var python: String
        var cases: [Case]
    }

    static func loadCases() throws -> Cases {
        let data = try Data(contentsOf: TestPaths.fixtures.appendingPathComponent("linetable_cases.json"))
        return try JSONDecoder().decode(Cases.self, from: data)
    }

    static func bytes(hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            result.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return result
    }

    @Test func everyCodeUnitGetsCPythonsLine() throws {
        let cases = try Self.loadCases()
        #expect(cases.cases.count >= 8)
        var checkedUnits = 0
        for item in cases.cases {
            let table = try PythonLineTable(table: Self.bytes(hex: item.table), firstLine: item.firstLine)
            for range in item.lines {
                let start = range[0]!, end = range[1]!, line = range[2]
                for unit in start..<end {
                    #expect(table.line(at: unit) == line, "\(item.name) unit \(unit)")
                    checkedUnits += 1
                }
            }
        }
        #expect(checkedUnits > 200)
    }

    @Test func farLineJumpsUseTheLongForms() throws {
        let cases = try Self.loadCases()
        let farLines = try #require(cases.cases.first { $0.name == "far_lines" })
        let table = try PythonLineTable(table: Self.bytes(hex: farLines.table), firstLine: farLines.firstLine)
        let lines = Set(table.ranges.compactMap(\.line))
        #expect(lines.contains { $0 - farLines.firstLine > 300 })
    }

    @Test func beforeTheFirstInstructionIsTheFirstLine() throws {
        let table = try PythonLineTable(table: [0x80 | (13 << 3), 0x02], firstLine: 40)
        #expect(table.line(at: -1) == 40)
        #expect(table.line(at: 0) == 41)
        #expect(table.line(at: 1) == nil)
    }

    @Test func malformedTablesThrow() {
        #expect(throws: FlamelabError.self) { try PythonLineTable(table: [0x01], firstLine: 1) }
        #expect(throws: FlamelabError.self) { try PythonLineTable(table: [0x80 | (14 << 3), 0x41], firstLine: 1) }
        #expect(throws: FlamelabError.self) { try PythonLineTable(table: [0x80 | (10 << 3), 0x01], firstLine: 1) }
    }
}
