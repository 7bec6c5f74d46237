/// The planted allocation hotspot: every checkout renders its receipt as many small strings, joins
/// them, checksums the text and throws it all away. It churns the allocator (hundreds of KiB per
/// request in thousands of allocations) without growing resident memory: an alloc profile names it,
/// an in-use profile does not.
public enum ReceiptFormatter {
    /// Renders `lines` receipt lines for `orderID` and returns a checksum of the text (so the work is kept).
    @inline(never)
    public static func formatReceiptLines(orderID: UInt64, lines: Int) -> Int {
        var rendered = [String]()
        for line in 0..<lines {
            rendered.append(receiptLine(orderID: orderID, line: line))
        }
        let text = rendered.joined(separator: "\n")
        var checksum = 0
        for byte in text.utf8 { checksum = checksum &* 31 &+ Int(byte) }
        return checksum
    }

    /// One line: long enough that Swift keeps it on the heap (over 15 UTF-8 bytes).
    @inline(never)
    static func receiptLine(orderID: UInt64, line: Int) -> String {
        "order \(orderID) line \(line): item sku-\(line % 977) x\(line % 5 + 1) at \(line % 97).99 each, warehouse \(line % 7)"
    }
}
