import Foundation
import Symbolize

/// Target processes in which no thread-context variable was found yet, so that one defining it in a
/// library dlopen'ed later is still found: a process is tried again when its set of mapped files has
/// changed since the last try. `@unchecked Sendable`: the table is behind `lock`.
final class UnlocatedTraceContexts: @unchecked Sendable {
    private let lock = NSLock()
    /// pid -> the number of distinct mapped files at the last try.
    private var mappedFiles: [Int32: Int] = [:]

    /// Remembers that `pid` has no location yet (its files as of now).
    func add(_ pid: Int32) {
        let count = Self.mappedFileCount(pid) ?? 0
        lock.lock()
        mappedFiles[pid] = count
        lock.unlock()
    }

    func remove(_ pid: Int32) {
        lock.lock()
        mappedFiles[pid] = nil
        lock.unlock()
    }

    /// The pids whose mapped files changed since their last try (they are taken out; `add` them again
    /// when the new try finds nothing). Reads each one's /proc/PID/maps: call it about once a second.
    func takeChanged() -> [Int32] {
        lock.lock()
        let current = mappedFiles
        lock.unlock()
        let changed = current.compactMap { pid, count -> Int32? in
            guard let now = Self.mappedFileCount(pid) else { return pid }  // gone: dropped below
            return now != count ? pid : nil
        }
        lock.lock()
        for pid in changed { mappedFiles[pid] = nil }
        lock.unlock()
        return changed.filter { ProcessStatus.isAlive($0) }
    }

    private static func mappedFileCount(_ pid: Int32) -> Int? {
        guard let maps = try? ProcessMaps.read(pid: pid) else { return nil }
        return Set(maps.mappings.lazy.filter(\.isFileBacked).map(\.path)).count
    }
}
