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
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
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

    /// Permission bits of `path`, nil when it does not exist.
    static func mode(_ path: String) -> UInt32? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt32(info.st_mode & 0o777)
    }

    /// Size in bytes of `path`, 0 when it does not exist.
    static func size(_ path: String) -> Int64 {
        var info = stat()
        guard stat(path, &info) == 0 else { return 0 }
        return Int64(info.st_size)
    }
}
