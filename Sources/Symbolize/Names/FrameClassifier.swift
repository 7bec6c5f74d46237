import ProfileModel

/// Decides a frame's `FrameKind` from the file it lives in and, inside the executable, its symbol,
/// by `FrameClassification`'s table: the one place the prefixes are listed.
public enum FrameClassifier {
    /// The kind of code in the file at `path` for a process whose executable is `executablePath`.
    public static func kind(ofModule path: String, executablePath: String) -> FrameKind {
        let name = basename(path)
        if FrameClassification.kind(ofLibrary: name) == .interpreter { return .interpreter }
        if !executablePath.isEmpty, stripDeleted(path) == stripDeleted(executablePath) { return .app }
        return FrameClassification.kind(ofLibrary: name) ?? .native
    }

    /// Refines a module's kind with its symbol: Swift runtime code linked statically into the
    /// executable (`swift_retain`, stdlib specialisations `$ss...`) is runtime, not app.
    public static func kind(moduleKind: FrameKind, symbol: String) -> FrameKind {
        guard moduleKind == .app else { return moduleKind }
        return FrameClassification.isSwiftRuntime(symbol: symbol) ? .swiftRuntime : .app
    }

    /// The last path component, without a ` (deleted)` suffix.
    public static func basename(_ path: String) -> String {
        let clean = stripDeleted(path)
        guard let slash = clean.lastIndex(of: "/") else { return clean }
        return String(clean[clean.index(after: slash)...])
    }

    static func stripDeleted(_ path: String) -> String {
        path.hasSuffix(" (deleted)") ? String(path.dropLast(" (deleted)".count)) : path
    }
}
