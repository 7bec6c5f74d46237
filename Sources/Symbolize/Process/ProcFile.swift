#if canImport(Glibc)
import ProfileModel
import Glibc
#endif

/// Reads small kernel-generated files (/proc/...), whose size `stat` reports as 0, until EOF.
enum ProcFile {
    static func read(_ path: String) throws -> String {
        String(decoding: try readBytes(path), as: UTF8.self)
    }

    static func readBytes(_ path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw FlamelabError.failed("read", path, String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FlamelabError.failed("read", path, String(cString: strerror(errno)))
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }

    /// Reads `path` in chunks and hands `body` runs of whole lines (each ending in a newline, the last
    /// one possibly not), so a large file such as /proc/kallsyms (~8 MiB) is never held whole.
    static func forEachLineChunk(_ path: String, chunkSize: Int = 1 << 18, _ body: (UnsafeBufferPointer<UInt8>) -> Void) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw FlamelabError.failed("read", path, String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        var filled = 0
        while true {
            if filled == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }  // a line longer than the buffer
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FlamelabError.failed("read", path, String(cString: strerror(errno)))
            }
            if count == 0 { break }
            filled += count
            guard let lastNewline = buffer[0..<filled].lastIndex(of: UInt8(ascii: "\n")) else { continue }
            buffer.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[0...lastNewline])) }
            let rest = filled - (lastNewline + 1)
            buffer.withUnsafeMutableBufferPointer { pointer in
                if rest > 0 { pointer.baseAddress!.update(from: pointer.baseAddress! + lastNewline + 1, count: rest) }
            }
            filled = rest
        }
        if filled > 0 { buffer.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[0..<filled])) } }
    }

    /// The target of a symbolic link such as /proc/PID/exe, or nil.
    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        buffer[count] = 0
        return String(cString: buffer)
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }
}
