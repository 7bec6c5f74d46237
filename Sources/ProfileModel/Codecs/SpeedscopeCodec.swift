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
/// `_[k]` suffix (stripped on decoding), other kinds come from `FrameClassification.guess` (a `.py` file
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
        var parser = JSONParser(bytes, format: format)
        return try SpeedscopeReader(root: try parser.parseDocument()).read()
    }

    static func defaultName(_ meta: ProfileMetadata) -> String {
        var parts = [meta.service ?? "flamelab", meta.version, meta.kind == .cpu ? "cpu" : meta.kind == .offcpu ? "off-cpu" : meta.kind.rawValue]
        if meta.kind == .cpu && meta.hz > 0 { parts.append("\(meta.hz) Hz") }
        return parts.compactMap { $0 }.joined(separator: " ")
    }
}
