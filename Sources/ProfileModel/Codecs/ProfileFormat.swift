/// The interchange formats flamelab reads and writes: the one place that maps file names and bytes
/// to a format. Input and output accept the same names; a name that says nothing is sniffed from
/// the bytes. Pure: the caller reads and writes the files (with 0600 permissions, `PrivateFile`).
public enum ProfileFormat: String, CaseIterable, Sendable {
    case folded
    case pprof
    case speedscope

    /// File-name endings per format, longest first within a format; the first is what flamelab writes.
    public var extensions: [String] {
        switch self {
        case .folded: return [".folded", ".collapsed", ".txt"]
        case .pprof: return [".pb.gz", ".pprof.gz", ".pprof", ".pb"]
        case .speedscope: return [".speedscope.json", ".json"]
        }
    }

    /// The ending flamelab gives files of this format.
    public var preferredExtension: String { extensions[0] }

    /// Every ending a name may carry, for messages (`.folded, .collapsed, ...`).
    public static var knownExtensions: String { allCases.flatMap(\.extensions).joined(separator: ", ") }

    /// The format a file name implies (case-insensitive); nil for anything else.
    public init?(fileName: String) {
        guard let match = Self.match(fileName) else { return nil }
        self = match.format
    }

    /// The ending of `fileName` that names its format, as written (nil when none does).
    public static func matchedExtension(_ fileName: String) -> String? {
        match(fileName).map { String(fileName.suffix($0.ending.count)) }
    }

    private static func match(_ fileName: String) -> (format: ProfileFormat, ending: String)? {
        let name = fileName.lowercased()
        let all = allCases.flatMap { format in format.extensions.map { (format, $0) } }
        return all.filter { name.hasSuffix($0.1) }.max { $0.1.count < $1.1.count }
    }

    /// A guess from content: gzip or protobuf-looking bytes are pprof, `{` starts speedscope,
    /// anything else is read as folded.
    public static func sniff(_ bytes: [UInt8]) -> ProfileFormat {
        guard let first = bytes.first(where: { !($0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09) }) else {
            return .folded
        }
        if Gzip.isGzipped(bytes) || bytes.first == 0x0a { return .pprof }
        return first == UInt8(ascii: "{") ? .speedscope : .folded
    }

    /// The format of a file: by its name, else by its content.
    public static func detect(fileName: String, bytes: [UInt8]) -> ProfileFormat {
        ProfileFormat(fileName: fileName) ?? sniff(bytes)
    }

    /// Decodes `bytes`; `metadata` is used by formats that carry none (folded).
    public func decode(_ bytes: [UInt8], metadata: ProfileMetadata = ProfileMetadata()) throws -> Profile {
        switch self {
        case .folded: return try FoldedCodec.decode(bytes, metadata: metadata)
        case .pprof: return try PprofCodec.decode(bytes)
        case .speedscope: return try SpeedscopeCodec.decode(bytes)
        }
    }

    /// Encodes `profile` (pprof gzipped).
    public func encode(_ profile: Profile) throws -> [UInt8] {
        switch self {
        case .folded: return Array(FoldedCodec.encode(profile).utf8)
        case .pprof: return try PprofCodec.encode(profile)
        case .speedscope: return Array(SpeedscopeCodec.encode(profile).utf8)
        }
    }

    /// Where the profile of `kind` goes when one output name holds several kinds:
    /// `out.pb.gz` -> `out.cpu.pb.gz`. A name without a known ending gets the kind appended.
    public static func path(_ fileName: String, splitFor kind: ProfileKind) -> String {
        guard let ending = matchedExtension(fileName) else { return "\(fileName).\(kind.rawValue)" }
        return "\(fileName.dropLast(ending.count)).\(kind.rawValue)\(ending)"
    }
}
