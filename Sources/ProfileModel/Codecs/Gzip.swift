import CZlib

/// gzip framing for pprof files, through Debian's zlib.
public enum Gzip {
    /// Decompressed inputs larger than this are refused (a guard against decompression bombs).
    public static let maximumDecompressedSize = 1 << 31

    /// True when `bytes` start with the gzip magic number.
    public static func isGzipped(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// Compresses `bytes` into a gzip member (mtime 0, so equal inputs give equal outputs).
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) throws -> [UInt8] {
        var stream = z_stream()
        // windowBits 15 + 16 selects the gzip wrapper.
        guard deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                            zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw error("deflateInit2 failed")
        }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 32)
        let status: Int32 = bytes.withUnsafeBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                // zlib never writes through next_in; its type is just not const.
                stream.next_in = inBuf.baseAddress.map { UnsafeMutablePointer(mutating: $0) }
                stream.avail_in = UInt32(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = UInt32(outBuf.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw error("deflate returned \(status)") }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }

    /// Decompresses a gzip (or zlib) stream; concatenated gzip members are joined.
    public static func decompress(_ bytes: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        // windowBits 15 + 32 detects gzip or zlib headers.
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw error("inflateInit2 failed")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(min(bytes.count * 4, maximumDecompressedSize))
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        try bytes.withUnsafeBufferPointer { inBuf in
            // zlib never writes through next_in; its type is just not const.
            stream.next_in = inBuf.baseAddress.map { UnsafeMutablePointer(mutating: $0) }
            stream.avail_in = UInt32(inBuf.count)
            while true {
                let (status, produced) = chunk.withUnsafeMutableBufferPointer { outBuf -> (Int32, Int) in
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = UInt32(outBuf.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    return (status, outBuf.count - Int(stream.avail_out))
                }
                output.append(contentsOf: chunk[0..<produced])
                guard output.count <= maximumDecompressedSize else {
                    throw error("decompressed data exceeds \(maximumDecompressedSize) bytes")
                }
                switch status {
                case Z_STREAM_END:
                    // Another gzip member may follow; otherwise done.
                    if stream.avail_in == 0 { return }
                    guard inflateReset(&stream) == Z_OK else { throw error("inflateReset failed") }
                case Z_OK:
                    if produced == 0 && stream.avail_in == 0 { throw error("truncated gzip stream") }
                case Z_BUF_ERROR:
                    throw error("truncated gzip stream")
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                    throw error("corrupt gzip stream (\(message))")
                }
            }
        }
        return output
    }

    private static func error(_ reason: String) -> ProfileParseError {
        ProfileParseError(format: "gzip", location: .input, reason: reason)
    }
}
