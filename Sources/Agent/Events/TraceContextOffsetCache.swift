import ProfileModel
import Foundation
import Symbolize

/// Trace-context offsets per executable file (device + inode), so that the many processes of one
/// program (a whole-system run sees dozens of compilers) read its ELF file once.
/// `@unchecked Sendable`: the cache is behind `lock`.
final class TraceContextOffsetCache: @unchecked Sendable {
    private struct FileID: Hashable {
        let device: UInt64
        let inode: UInt64
    }

    private let lock = NSLock()
    private var offsets: [FileID: Int64?] = [:]

    /// The offset of `flamelab_trace_context` from the thread pointer in `pid`'s executable, nil when it
    /// has none. Throws `failed to read ELF ...` when the executable cannot be read.
    func offset(pid: Int32) throws -> Int64? {
        let path = "/proc/\(pid)/exe"
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw FlamelabError("failed to read the executable of pid \(pid): \(String(cString: strerror(errno)))")
        }
        let id = FileID(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        lock.lock()
        let cached = offsets[id]
        lock.unlock()
        if let cached { return cached }
        let offset = try TraceContextLocator.threadPointerOffset(executablePath: path)
        lock.lock()
        offsets[id] = offset
        lock.unlock()
        return offset
    }
}
