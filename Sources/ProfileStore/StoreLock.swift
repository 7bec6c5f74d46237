import Foundation
import ProfileModel

/// The one-writer rule for a store that an agent writes for hours: an exclusive `flock` on
/// `<store>.lock`, held while the writer lives and released by the kernel when it dies (even by
/// SIGKILL). A second writer is refused at once, with the holder's pid.
public final class StoreLock: Sendable {
    public let path: String
    private let fd: Int32

    /// Takes the lock of the store at `storePath`, or throws `failed to lock profile store ...`.
    public init(storePath: String) throws {
        path = storePath + ".lock"
        // O_NOFOLLOW: the lock sits beside a store that may be in a shared directory such as /tmp, and
        // a root agent must not truncate whatever a planted symlink points at.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw FlamelabError.failed("lock", "profile store \(storePath)", "\(path): \(String(cString: strerror(errno)))") }
        guard Self.takeExclusive(fd) else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(fd)
            throw FlamelabError.failed("lock", "profile store \(storePath)",
                                       "another agent\(holder.isEmpty ? "" : " (pid \(holder))") writes to it; stop it first or use another --store",
                                       code: .input)
        }
        _ = ftruncate(fd, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { write(fd, $0, strlen($0)) }
        self.fd = fd
    }

    /// A reader's probe (`holder`) holds a shared lock for microseconds: a writer starting at that
    /// instant tries again for 200 ms before it calls the store taken.
    private static func takeExclusive(_ fd: Int32) -> Bool {
        for attempt in 0..<20 {
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { return true }
            if errno != EWOULDBLOCK || attempt == 19 { break }
            usleep(10_000)
        }
        return false
    }

    /// The pid of the agent writing to the store at `storePath`, or nil when none holds its lock
    /// (a reader's "is anything recording" check: it takes and at once drops a shared lock).
    public static func holder(storePath: String) -> Int32? {
        let lockPath = storePath + ".lock"
        let fd = open(lockPath, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        let text = (try? String(contentsOfFile: lockPath, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return Int32(text) ?? 0
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
