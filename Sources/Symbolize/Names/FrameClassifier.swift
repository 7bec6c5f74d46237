import ProfileModel

/// Decides a frame's `FrameKind` from the file it lives in and, inside the executable, its symbol.
public enum FrameClassifier {
    /// The kind of code in the file at `path` for a process whose executable is `executablePath`.
    public static func kind(ofModule path: String, executablePath: String) -> FrameKind {
        let name = basename(path)
        // Debian's python3.11 executable has the interpreter linked in: its code is libpython's C.
        if isPythonExecutable(name) { return .interpreter }
        if !executablePath.isEmpty, stripDeleted(path) == stripDeleted(executablePath) { return .app }
        if isSwiftRuntime(library: name) { return .swiftRuntime }
        if isLibc(library: name) { return .libc }
        if name.hasPrefix("libpython") { return .interpreter }
        return .native
    }

    /// Refines a module's kind with its symbol: Swift runtime code linked statically into the
    /// executable (`swift_retain`, stdlib specialisations `$ss...`) is runtime, not app.
    public static func kind(moduleKind: FrameKind, symbol: String) -> FrameKind {
        guard moduleKind == .app else { return moduleKind }
        return isSwiftRuntime(symbol: symbol) ? .swiftRuntime : .app
    }

    static func isSwiftRuntime(library name: String) -> Bool {
        let prefixes = ["libswift", "libFoundation", "lib_Foundation", "libdispatch", "libBlocksRuntime", "libXCTest", "libTesting"]
        return prefixes.contains { name.hasPrefix($0) }
    }

    static func isPythonExecutable(_ name: String) -> Bool {
        guard name.hasPrefix("python") else { return false }
        return name.dropFirst("python".count).allSatisfy { $0.isNumber || $0 == "." || $0 == "d" || $0 == "m" }
    }

    static func isLibc(library name: String) -> Bool {
        let prefixes = ["libc.so", "libc-", "ld-linux", "libm.so", "libm-", "libpthread", "libdl.so", "librt.so", "libresolv"]
        return prefixes.contains { name.hasPrefix($0) }
    }

    static func isSwiftRuntime(symbol: String) -> Bool {
        let runtimePrefixes = ["swift_", "_swift_", "swift::", "$ss", "$sS", "_$ss", "_$sS",
                               "$s10Foundation", "$s20FoundationEssentials", "$s8Dispatch", "$s12_Concurrency"]
        return runtimePrefixes.contains { symbol.hasPrefix($0) }
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
