/// The planted allocation hotspot: every checkout renders its receipt as fixed-width lines (one string
/// each, padded to the printer's 2 KiB line buffer), joins them, checksums the text and throws it all
/// away. It churns the allocator (about 1 MiB per request in a few hundred allocations) without
/// growing resident memory, at little CPU: an alloc profile names it, an in-use or CPU profile does not.
public enum ReceiptFormatter {
    /// Renders `lines` receipt lines for `orderID` and returns a checksum (so the work is kept).
    @inline(never)
    public static func formatReceiptLines(orderID: UInt64, lines: Int) -> Int {
        var rendered = [String]()
        for line in 0..<lines {
            rendered.append(receiptLine(orderID: orderID, line: line))
        }
        let text = rendered.joined(separator: "\n")
        // A checksum of the line heads only: one over every byte would make this a CPU hotspot too.
        var checksum = text.utf8.count
        for line in rendered { checksum = checksum &* 31 &+ Int(line.utf8.first ?? 0) }
        return checksum
    }

    /// Bytes per rendered line.
    static let lineWidth = 2_048

    /// One line, padded with spaces to `lineWidth` bytes.
    @inline(never)
    static func receiptLine(orderID: UInt64, line: Int) -> String {
        let text = "order \(orderID) line \(line): item sku-\(line % 977) x\(line % 5 + 1) at \(line % 97).99 each, warehouse \(line % 7)"
        // One allocation, filled with memcpy and memset: String(repeating:count:) appends character by
        // character and would make this a CPU hotspot too.
        return String(unsafeUninitializedCapacity: max(lineWidth, text.utf8.count)) { buffer in
            let copied = buffer.initialize(fromContentsOf: text.utf8)
            buffer[copied...].initialize(repeating: UInt8(ascii: " "))
            return buffer.count
        }
    }
}
