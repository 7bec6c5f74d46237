import ProfileModel
import Foundation
import Symbolize

/// Where each process keeps its OpenTelemetry thread-context pointer. What each ELF file exports is
/// cached per file (device + inode), so the many processes of one program (a whole-system run sees
/// dozens of compilers, all mapping the same libc) read each file once; the GOT reads stay per process.
/// `@unchecked Sendable`: the cache is behind `lock`.
final class TraceContextExportCache: @unchecked Sendable {
    private struct FileID: Hashable {
        let device: String
        let inode: UInt64
    }

    private let lock = NSLock()
    private var exports: [FileID: TlsExport?] = [:]

    /// Where `pid` keeps `otel_thread_ctx_v1`, nil when none of its files defines it.
    /// Throws `failed to ...` when its maps, an ELF file or its loader data cannot be read.
    func location(pid: Int32) throws -> TraceContextLocation? {
        let maps = try ProcessMaps.read(pid: pid)
        return try TraceContextLocator.locate(pid: pid, maps: maps) { mapping, path in
            try self.export(of: mapping, path: path)
        }
    }

    private func export(of mapping: MemoryMapping, path: String) throws -> TlsExport? {
        let id = FileID(device: mapping.device, inode: mapping.inode)
        lock.lock()
        let cached = exports[id]
        lock.unlock()
        if let cached { return cached }
        let found = try TlsExport.find(TraceContextLocator.symbolName, in: path)
        lock.lock()
        exports[id] = .some(found)
        lock.unlock()
        return found
    }
}
