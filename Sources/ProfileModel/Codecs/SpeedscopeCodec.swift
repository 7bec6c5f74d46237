import Foundation

/// speedscope's JSON file format (`https://www.speedscope.app/file-format-schema.json`), sampled
/// profiles only.
///
/// Encoding writes `shared.frames` ({name, file?, line?}) and one `sampled` profile whose
/// `samples` are stacks of frame indices, ROOT FIRST, with `weights` beside them. Samples keep
/// the profile's order; consecutive samples on the same stack are merged into one weight. CPU
/// profiles use unit `none` (sample counts), off-CPU `nanoseconds`.
///
/// Decoding reads every `sampled` profile of the file into one `Profile` (speedscope writers
/// often emit one per thread). A time unit means off-CPU nanoseconds, `none` CPU counts. The
/// format carries no frame kind, module or labels: kernel frames are named with FlameGraph's
/// `_[k]` suffix (stripped on decoding), other kinds come from `FrameKindHeuristic` (a `.py` file
/// means python), and trace ids are lost; use pprof to keep them.
public enum SpeedscopeCodec {
    static let format = "speedscope"
    public static let schemaURL = "https://www.speedscope.app/file-format-schema.json"

    /// Encodes `profile` as speedscope JSON text.
    public static func encode(_ profile: Profile, name: String? = nil) -> String {
        var writer = SpeedscopeWriter()
        writer.write(profile, name: name ?? defaultName(profile.metadata))
        return writer.text
    }

    /// Decodes speedscope JSON text.
    public static func decode(_ text: String) throws -> Profile {
        try decode(Array(text.utf8))
    }

    /// Decodes speedscope JSON bytes.
    public static func decode(_ bytes: [UInt8]) throws -> Profile {
        guard bytes.contains(where: { !($0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09) }) else {
            throw ProfileParseError(format: format, location: .input, reason: "empty input")
        }
        let file: SpeedscopeFile
        do {
            file = try JSONDecoder().decode(SpeedscopeFile.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw parseError(error)
        }
        return try SpeedscopeReader(file: file).read()
    }

    static func defaultName(_ meta: ProfileMetadata) -> String {
        var parts = [meta.service ?? "flamelab", meta.version, meta.kind == .cpu ? "cpu" : "off-cpu"]
        if meta.kind == .cpu && meta.hz > 0 { parts.append("\(meta.hz) Hz") }
        return parts.compactMap { $0 }.joined(separator: " ")
    }

    private static func parseError(_ error: DecodingError) -> ProfileParseError {
        func path(_ keys: [CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let i = key.intValue { text += "[\(i)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text.isEmpty ? "(root)" : text
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            let detail = (context.underlyingError as NSError?)?.userInfo["NSDebugDescription"] as? String
            return ProfileParseError(format: format, location: .input,
                                     reason: "not valid JSON" + (detail.map { " (\($0))" } ?? ""))
        case .dataCorrupted(let context):
            return ProfileParseError(format: format, location: .field(path(context.codingPath)), reason: context.debugDescription)
        case .keyNotFound(let key, let context):
            return ProfileParseError(format: format, location: .field(path(context.codingPath + [key])), reason: "missing")
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return ProfileParseError(format: format, location: .field(path(context.codingPath)),
                                     reason: "expected \(type)")
        @unknown default:
            return ProfileParseError(format: format, location: .input, reason: "\(error)")
        }
    }
}

/// The parts of a speedscope file that flamelab reads.
struct SpeedscopeFile: Decodable {
    struct Shared: Decodable { var frames: [FrameEntry] }
    struct FrameEntry: Decodable {
        var name: String
        var file: String?
        var line: Double?
    }
    struct ProfileEntry: Decodable {
        var type: String
        var name: String?
        var unit: String
        var startValue: Double?
        var endValue: Double?
        var samples: [[Int]]?
        var weights: [Double]?
    }
    var schema: String?
    var shared: Shared
    var profiles: [ProfileEntry]

    enum CodingKeys: String, CodingKey {
        case schema = "$schema", shared, profiles
    }
}
