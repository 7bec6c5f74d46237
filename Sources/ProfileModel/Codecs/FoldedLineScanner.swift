/// Splits folded-stack bytes into lines, frame ranges and counts, without building a String per
/// line: a million-line file costs one pass over its bytes.
enum FoldedLineScanner {
    private static let newline = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let space = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")
    private static let semicolon = UInt8(ascii: ";")

    /// Calls `body(lineNumber, frameRanges, counts)` for each stack line.
    static func scan(
        _ bytes: [UInt8], countsPerLine: Int,
        body: (Int, [Range<Int>], [Int64]) throws -> Void
    ) throws {
        var lineStart = 0
        var lineNumber = 0
        var counts = [Int64](repeating: 0, count: countsPerLine)
        var frames: [Range<Int>] = []
        while lineStart < bytes.count {
            lineNumber += 1
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != newline { lineEnd += 1 }
            let next = lineEnd + 1
            var start = lineStart
            var end = lineEnd
            while start < end && isBlank(bytes[start]) { start += 1 }
            while end > start && (isBlank(bytes[end - 1]) || bytes[end - 1] == carriageReturn) { end -= 1 }
            lineStart = next
            if start == end { continue }
            let stackEnd = try parseCounts(bytes, start..<end, into: &counts, lineNumber: lineNumber)
            try splitFrames(bytes, start..<stackEnd, into: &frames, lineNumber: lineNumber)
            try body(lineNumber, frames, counts)
        }
    }

    /// Parses the trailing counts right to left; returns where the stack text ends.
    private static func parseCounts(
        _ bytes: [UInt8], _ range: Range<Int>, into counts: inout [Int64], lineNumber: Int
    ) throws -> Int {
        var end = range.upperBound
        for slot in stride(from: counts.count - 1, through: 0, by: -1) {
            var tokenStart = end
            while tokenStart > range.lowerBound && !isBlank(bytes[tokenStart - 1]) { tokenStart -= 1 }
            guard tokenStart > range.lowerBound else {
                let expected = counts.count == 1 ? "`stack count`" : "`stack base_count cand_count`"
                throw error(lineNumber, "expected \(expected), found no stack before the count")
            }
            counts[slot] = try parseCount(bytes, tokenStart..<end, lineNumber: lineNumber)
            end = tokenStart
            while end > range.lowerBound && isBlank(bytes[end - 1]) { end -= 1 }
        }
        guard end > range.lowerBound else { throw error(lineNumber, "empty stack") }
        return end
    }

    private static func parseCount(_ bytes: [UInt8], _ range: Range<Int>, lineNumber: Int) throws -> Int64 {
        var value: Int64 = 0
        for i in range {
            let digit = bytes[i] &- UInt8(ascii: "0")
            guard digit < 10 else {
                let token = String(decoding: bytes[range].prefix(40), as: UTF8.self)
                throw error(lineNumber, "count '\(token)' is not a non-negative integer")
            }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int64(digit))
            guard !o1 && !o2 else { throw error(lineNumber, "count overflows a 64-bit integer") }
            value = sum
        }
        return value
    }

    private static func splitFrames(
        _ bytes: [UInt8], _ range: Range<Int>, into frames: inout [Range<Int>], lineNumber: Int
    ) throws {
        frames.removeAll(keepingCapacity: true)
        var frameStart = range.lowerBound
        for i in range where bytes[i] == semicolon {
            frames.append(frameStart..<i)
            frameStart = i + 1
        }
        frames.append(frameStart..<range.upperBound)
        if let empty = frames.firstIndex(where: { $0.isEmpty }) {
            throw error(lineNumber, "frame \(empty + 1) of the stack is empty")
        }
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    private static func error(_ line: Int, _ reason: String) -> ProfileParseError {
        ProfileParseError(format: FoldedCodec.format, location: .line(line), reason: reason)
    }
}
