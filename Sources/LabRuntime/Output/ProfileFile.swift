import Foundation
import ProfileModel

/// Reads and writes profile files in any format the codecs know, the format chosen by
/// `ProfileFormat` (by name, else by content). Writes are 0600 (`PrivateFile`).
public enum ProfileFile {
    /// Reads the profile at `path`. Throws an input error naming the file and, for a malformed one,
    /// the line or field.
    public static func read(_ path: String) throws -> Profile {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw FlamelabError.failed("read", "profile \(path)", reason(error, path: path), code: .input)
        }
        let bytes = [UInt8](data)
        let format = ProfileFormat.detect(fileName: path, bytes: bytes)
        do {
            return try format.decode(bytes)
        } catch let error as ProfileParseError {
            var location = ""
            switch error.location {
            case .line(let n): location = "line \(n): "
            case .field(let f): location = "field \(f): "
            case .input: break
            }
            throw FlamelabError.failed("read", "profile \(path)", "\(error.format): \(location)\(error.reason)", code: .input)
        } catch {
            throw FlamelabError.failed("read", "profile \(path)", "\(error)", code: .input)
        }
    }

    /// Writes `profile` to `path` in the format its name implies; an input error for an unknown name.
    public static func write(_ profile: Profile, to path: String) throws {
        guard let format = ProfileFormat(fileName: path) else {
            throw FlamelabError.failed("write", path, "the name must end in one of \(ProfileFormat.knownExtensions)", code: .input)
        }
        try PrivateFile.write(Data(try format.encode(profile)), to: path)
    }

    /// A short reason for a failed read: the usual causes by name, else Foundation's text.
    private static func reason(_ error: Error, path: String) -> String {
        var isDirectory: ObjCBool = false
        let fm = FileManager.default
        if !fm.fileExists(atPath: path, isDirectory: &isDirectory) { return "no such file" }
        if isDirectory.boolValue { return "is a directory" }
        if !fm.isReadableFile(atPath: path) { return "permission denied" }
        return error.localizedDescription
    }
}
