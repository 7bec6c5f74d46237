import Foundation
import Symbolize

/// Target processes in which no thread-context variable was found yet, so that one defining it in a
/// library dlopen'ed later is still found: a process is tried again when its set of mapped files has
/// changed since the last try. `@unchecked Sendable`: the table is behind `lock`.
final class UnlocatedTraceContexts: @unchecked Sendable {
    /// What a process's maps looked like at the last look.
    private struct Look {
        /// Hash of /proc/PID/maps as read: while it is unchanged nothing was mapped or unmapped, and
        /// the text is not parsed (parsing it once a second was half an idle agent's CPU at 99 Hz).
        var digest: Int
        /// Distinct mapped files.
        var files: Int
    }

    private let lock = NSLock()
    private var looks: [Int32: Look] = [:]

    /// Remembers that `pid` has no location yet (its files as of now).
    func add(_ pid: Int32) {
        let look = Self.look(pid, since: nil) ?? Look(digest: 0, files: 0)
        lock.lock()
        looks[pid] = look
        lock.unlock()
    }

    func remove(_ pid: Int32) {
        lock.lock()
        looks[pid] = nil
        lock.unlock()
    }

    /// The pids whose mapped files changed since their last try (they are taken out; `add` them again
    /// when the new try finds nothing). Reads each one's /proc/PID/maps: call it about once a second.
    func takeChanged() -> [Int32] {
        lock.lock()
        let current = looks
        lock.unlock()
        var changed: [Int32] = [], updated: [Int32: Look] = [:]
        for (pid, last) in current {
            guard let now = Self.look(pid, since: last) else {  // gone: dropped below
                changed.append(pid)
                continue
            }
            if now.files != last.files { changed.append(pid) } else { updated[pid] = now }
        }
        lock.lock()
        for pid in changed { looks[pid] = nil }
        for (pid, look) in updated where looks[pid] != nil { looks[pid] = look }
        lock.unlock()
        return changed.filter { ProcessStatus.isAlive($0) }
    }

    /// `pid`'s maps now: `last` again when the text has not changed, else its files counted.
    private static func look(_ pid: Int32, since last: Look?) -> Look? {
        guard let (digest, text) = ProcessMaps.fingerprint(pid: pid) else { return nil }
        if let last, last.digest == digest { return last }
        let maps = ProcessMaps.parse(pid: pid, text: String(decoding: text, as: UTF8.self))
        return Look(digest: digest, files: Set(maps.mappings.lazy.filter(\.isFileBacked).map(\.path)).count)
    }
}
