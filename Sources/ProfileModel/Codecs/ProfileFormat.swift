/// The interchange formats flamelab reads and writes, chosen from a file name or sniffed from
/// bytes. Pure: the caller reads and writes the files (with 0600 permissions).
public enum ProfileFormat: String, CaseIterable, Sendable {
    case folded
    case pprof
    case speedscope

    /// The format a file name implies: `.folded`/`.collapsed`/`.txt`, `.pb.gz`/`.pb`/`.pprof`,
    /// `.speedscope.json`/`.json`; nil for anything else.
    public init?(fileName: String) {
        let name = fileName.lowercased()
        if name.hasSuffix(".folded") || name.hasSuffix(".collapsed") || name.hasSuffix(".txt") {
            self = .folded
        } else if name.hasSuffix(".pb.gz") || name.hasSuffix(".pb") || name.hasSuffix(".pprof") {
            self = .pprof
        } else if name.hasSuffix(".json") {
            self = .speedscope
        } else {
            return nil
        }
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
}
