import ProfileModel

/// File formats chosen by extension.
public enum ProfileFileFormat: String, Sendable, CaseIterable {
    case folded = ".folded"
    case pprof = ".pb.gz"
    case speedscope = ".speedscope.json"

    /// The format `path` names by its extension, nil when none matches.
    public static func of(path: String) -> ProfileFileFormat? {
        allCases.first { path.hasSuffix($0.rawValue) }
    }

    /// The bytes of `profile` in this format.
    public func encode(_ profile: Profile) throws -> [UInt8] {
        switch self {
        case .folded: return Array(FoldedCodec.encode(profile).utf8)
        case .pprof: return try PprofCodec.encode(profile)
        case .speedscope: return try SpeedscopeOutput.encode(profile)
        }
    }
}
