import ProfileModel
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// File-system side of the store: profiles are sensitive, so the database and its -wal/-shm
/// companions are private to the owner (0600).
enum StoreFile {
    /// Creates the database file with mode 0600 before SQLite opens it (SQLite then gives the
    /// -wal and -shm files the database's mode), or tightens an existing one.
    /// Returns true when it created the file (a new store).
    @discardableResult
    static func prepare(_ path: String) throws -> Bool {
        let directory = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) || !isDirectory.boolValue {
            throw FlamelabError.storeOpen(path, "directory \(directory) does not exist")
        }
        try refuseUnreachable(path)
        try refusePlanted(path)
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd >= 0 {
            close(fd)
            return true
        }
        guard errno == EEXIST else {
            throw FlamelabError.storeOpen(path, String(cString: strerror(errno)))
        }
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw FlamelabError.storeOpen(path, "it is not a regular file")
        }
        try makePrivate(path)
        return false
    }

    /// Removes group and other permissions from the database and its -wal/-shm files.
    static func makePrivate(_ path: String) throws {
        for file in [path, path + "-wal", path + "-shm"] {
            var info = stat()
            guard stat(file, &info) == 0 else { continue }
            let mode = info.st_mode & 0o777
            if mode & 0o077 != 0, chmod(file, mode & 0o700) != 0 {
                throw FlamelabError.storeOpen(path, "cannot make \(file) private: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// A store, -wal or -shm that is a symlink, or a store owned by someone else than this user (or,
    /// for `sudo`, the user who ran it), is refused: in a shared directory such as /tmp another user
    /// could otherwise plant a file a root agent then writes profiles into.
    static func refusePlanted(_ path: String) throws {
        for file in [path, path + "-wal", path + "-shm"] {
            var info = stat()
            guard lstat(file, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFLNK {
                throw FlamelabError.storeOpen(path, "\(file) is a symbolic link; a store's files must be regular files")
            }
            let me = geteuid()
            var owners: Set<uid_t> = [me]
            if me == 0, let sudo = SudoUser.current() { owners.insert(uid_t(sudo.uid)) }
            if file == path, !owners.contains(info.st_uid) {
                throw FlamelabError.storeOpen(path, "it belongs to uid \(info.st_uid), not to this user (uid \(me)); profiles are private to their owner")
            }
        }
    }

    /// An existing store this user may not read and write (a root agent's, typically) gets an
    /// error that says whose it is and what to do, instead of SQLite's "unable to open".
    static func refuseUnreachable(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0, access(path, R_OK | W_OK) != 0 else { return }
        let owner = getpwuid(info.st_uid).map { String(cString: $0.pointee.pw_name) } ?? "uid \(info.st_uid)"
        let mode = String(info.st_mode & 0o777, radix: 8)
        throw FlamelabError.storeOpen(path, "permission denied: it belongs to \(owner) (mode \(mode)), and profiles are private to their owner; "
            + "run this as \(owner), or start `lab agent` with sudo from your own account (it then hands the store to you)")
    }

    /// Gives the store's files (database, -wal, -shm, lock) to `uid`/`gid`, keeping mode 0600: a
    /// `sudo lab agent` hands its store to the user who ran sudo, so that their `lab serve` and
    /// `lab query` can read it. SQLite, running as root, gives later -wal/-shm files the
    /// database's owner. Symlinks are not followed.
    static func handOver(_ path: String, toUID uid: uid_t, gid: gid_t) throws {
        for file in [path, path + "-wal", path + "-shm", path + ".lock"] {
            var info = stat()
            guard lstat(file, &info) == 0 else { continue }
            guard info.st_mode & S_IFMT == S_IFREG else { throw FlamelabError.storeOpen(path, "\(file) is not a regular file") }
            if fchownat(AT_FDCWD, file, uid, gid, AT_SYMLINK_NOFOLLOW) != 0 {
                throw FlamelabError.storeOpen(path, "cannot hand \(file) to uid \(uid): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Permission bits of `path`, nil when it does not exist.
    static func mode(_ path: String) -> UInt32? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt32(info.st_mode & 0o777)
    }

    /// Whether `path` is a regular file (symlinks not followed).
    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    /// Size in bytes of `path`, 0 when it does not exist.
    static func size(_ path: String) -> Int64 {
        var info = stat()
        guard stat(path, &info) == 0 else { return 0 }
        return Int64(info.st_size)
    }
}
