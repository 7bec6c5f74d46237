import ProfileModel
import Foundation

/// Writes evidence and profiles with owner-only permissions (profiles reveal code structure and data).
public enum PrivateFile {
    /// Writes `data` to `path` with mode 0600 from the first byte (a temporary file created 0600, then
    /// renamed over `path`), creating parent directories with mode 0700.
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw FlamelabError("failed to write \(path): \(error.localizedDescription)")
        }
        let temporary = path + ".tmp-\(getpid())"
        // A leftover of a crashed writer goes; O_EXCL | O_NOFOLLOW then refuses anything planted in
        // its place (a root `lab agent --stats-json /tmp/...` must not write through a symlink).
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FlamelabError("failed to write \(path): \(String(cString: strerror(errno)))") }
        let written = data.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
        let reason = String(cString: strerror(errno))
        close(fd)
        guard written, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw FlamelabError("failed to write \(path): \(written ? String(cString: strerror(errno)) : reason)")
        }
    }

    /// A new directory `prefix-XXXXXX` under the temporary folder, mode 0700, its name unpredictable
    /// (mkdtemp): scratch space no other user can plant files in.
    public static func temporaryDirectory(prefix: String) throws -> String {
        var template = Array((FileManager.default.temporaryDirectory.path + "/\(prefix)-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) != nil }
        guard made else {
            throw FlamelabError.failed("create", "a scratch directory for \(prefix)", String(cString: strerror(errno)))
        }
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// JSON with sorted keys and pretty printing, so evidence diffs well.
    public static func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try write(try encoder.encode(value), to: path)
    }
}
