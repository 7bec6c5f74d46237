import Agent
import Foundation
import ProfileModel

/// Writes profiles to a file whose name picks the format (`ProfileFormat`: .folded, .pb.gz,
/// .speedscope.json, ...). With several kinds, each goes to its own file: `out.folded` ->
/// `out.cpu.folded`, `out.offcpu.folded`. Files are created 0600 (`PrivateFile`): profiles are
/// security-sensitive.
public struct FileProfileSink: ProfileSink {
    public let path: String
    public let format: ProfileFormat

    /// Throws when the name implies no known format.
    public init(path: String) throws {
        guard let format = ProfileFormat(fileName: path) else {
            throw FlamelabError.failed("choose", "an output format for \(path)", "use one of \(ProfileFormat.knownExtensions)", code: .input)
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
            throw FlamelabError.failed("write", path, "directory \(dir) does not exist", code: .input)
        }
        guard access(dir, W_OK) == 0 else { throw FlamelabError.failed("write", path, String(cString: strerror(errno)), code: .input) }
        if FileManager.default.fileExists(atPath: path), access(path, W_OK) != 0 {
            throw FlamelabError.failed("write", path, String(cString: strerror(errno)), code: .input)
        }
    }

    /// The file each kind goes to.
    public func paths(for kinds: [ProfileKind]) -> [ProfileKind: String] {
        guard kinds.count > 1 else { return Dictionary(uniqueKeysWithValues: kinds.map { ($0, path) }) }
        return Dictionary(uniqueKeysWithValues: kinds.map { ($0, ProfileFormat.path(path, splitFor: $0)) })
    }

    public func write(_ profiles: [Profile], stats: AgentRunStats) throws {
        let targets = paths(for: profiles.map(\.metadata.kind))
        for profile in profiles {
            guard let target = targets[profile.metadata.kind] else { continue }
            try PrivateFile.write(Data(try format.encode(profile)), to: target)
        }
    }
}
