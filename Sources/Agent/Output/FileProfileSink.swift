import Foundation
import ProfileModel

/// Writes profiles to a file whose extension picks the format (.folded, .pb.gz, .speedscope.json).
/// With several kinds, each goes to its own file: `out.folded` -> `out.cpu.folded`, `out.offcpu.folded`.
/// Files are created with 0600 permissions: profiles are security-sensitive.
public struct FileProfileSink: ProfileSink {
    public let path: String
    public let format: ProfileFileFormat

    /// Throws when the extension names no known format.
    public init(path: String) throws {
        guard let format = ProfileFileFormat.of(path: path) else {
            let known = ProfileFileFormat.allCases.map(\.rawValue).joined(separator: ", ")
            throw AgentError("failed to choose an output format for \(path): use one of \(known)")
        }
        self.path = path
        self.format = format
    }

    /// Checks, before recording, that the output can be written (so that a run is not lost).
    public func checkWritable() throws {
        let directory = (path as NSString).deletingLastPathComponent
        let dir = directory.isEmpty ? "." : directory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw AgentError("failed to write \(path): directory \(dir) does not exist")
        }
        guard access(dir, W_OK) == 0 else {
            throw AgentError("failed to write \(path): \(String(cString: strerror(errno)))")
        }
        if FileManager.default.fileExists(atPath: path), access(path, W_OK) != 0 {
            throw AgentError("failed to write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// The file each kind goes to.
    public func paths(for kinds: [ProfileKind]) -> [ProfileKind: String] {
        guard kinds.count > 1 else { return Dictionary(uniqueKeysWithValues: kinds.map { ($0, path) }) }
        let stem = String(path.dropLast(format.rawValue.count))
        return Dictionary(uniqueKeysWithValues: kinds.map { ($0, "\(stem).\($0.rawValue)\(format.rawValue)") })
    }

    public func write(_ profiles: [Profile], stats: AgentRunStats) throws {
        let targets = paths(for: profiles.map(\.metadata.kind))
        for profile in profiles {
            guard let target = targets[profile.metadata.kind] else { continue }
            try Self.writePrivate(try format.encode(profile), to: target)
        }
    }

    /// Writes `bytes` to `path` with mode 0600 (also tightening an existing file).
    static func writePrivate(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AgentError("failed to write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fchmod(fd, 0o600) == 0 else { throw AgentError("failed to restrict \(path) to 0600: \(String(cString: strerror(errno)))") }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw AgentError("failed to write \(path): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }
}
