/// The one table that says what kind of code a frame is: by the file it lives in, by its symbol,
/// and, for inputs that carry no kind (folded stacks, speedscope, foreign pprof files), by its name
/// alone. The agent (`FrameClassifier` in Symbolize), the codecs and the peer parsers all use it.
public enum FrameClassification {
    /// File-name prefixes (a mapping's basename) and the kind of code they hold.
    static let libraryPrefixes: [(prefix: String, kind: FrameKind)] = [
        ("libswift", .swiftRuntime), ("libFoundation", .swiftRuntime), ("lib_Foundation", .swiftRuntime),
        ("libdispatch", .swiftRuntime), ("libBlocksRuntime", .swiftRuntime), ("libXCTest", .swiftRuntime), ("libTesting", .swiftRuntime),
        ("libc.so", .libc), ("libc-", .libc), ("ld-linux", .libc), ("libm.so", .libc), ("libm-", .libc), ("libpthread", .libc),
        ("libdl.so", .libc), ("librt.so", .libc), ("libresolv", .libc),
        ("libpython", .interpreter),
    ]

    /// Symbol prefixes of Swift runtime code, mangled (as the ELF symbol tables hold them, also when
    /// linked statically into an executable) and demangled (as folded stacks and pprof files spell them).
    static let swiftRuntimeSymbolPrefixes = [
        "swift_", "_swift_", "swift::", "$ss", "$sS", "_$ss", "_$sS",
        "$s10Foundation", "$s20FoundationEssentials", "$s8Dispatch", "$s12_Concurrency",
        "Swift.", "Foundation.", "FoundationEssentials.", "Dispatch.", "static Swift.", "(extension in Foundation)",
        "generic specialization <", "dispatch_", "_dispatch_",
    ]
    static let libcSymbolPrefixes = [
        "__libc_", "__GI_", "__pthread", "pthread_", "__lll_", "__futex", "_dl_", "__memcpy", "__memmove",
        "__memset", "__strlen", "__strcmp", "__nanosleep", "__clock_nanosleep", "__poll", "__epoll",
    ]
    static let libcSymbols: Set<String> = [
        "start_thread", "clone3", "__clone", "clone", "_start", "malloc", "free", "calloc", "realloc",
        "nanosleep", "clock_nanosleep", "epoll_wait", "poll", "read", "write", "memcpy", "memmove", "memset",
    ]

    /// The kind of code in a file named `basename`, when the name alone says it; nil otherwise
    /// (then it is the executable's own code or another native library, which only the caller knows).
    public static func kind(ofLibrary basename: String) -> FrameKind? {
        if basename.hasPrefix("[kernel") || basename == "vmlinux" { return .kernel }
        if basename.hasSuffix(".py") { return .python }
        if isPythonExecutable(basename) { return .interpreter }
        return libraryPrefixes.first { basename.hasPrefix($0.prefix) }?.kind
    }

    /// Debian's python3.11 executable has the interpreter linked in: its code is libpython's C.
    static func isPythonExecutable(_ name: String) -> Bool {
        guard name.hasPrefix("python") else { return false }
        return name.dropFirst("python".count).allSatisfy { $0.isNumber || $0 == "." || $0 == "d" || $0 == "m" }
    }

    /// Whether `symbol` (mangled or demangled) is Swift runtime code.
    public static func isSwiftRuntime(symbol: String) -> Bool {
        swiftRuntimeSymbolPrefixes.contains { symbol.hasPrefix($0) }
    }

    /// The guessed kind of a frame named `name` in `module` (empty when unknown), for inputs that
    /// carry no kind. First match wins: the module's file name; placeholders and addresses; CPython's
    /// C API names; Swift runtime symbols; glibc entry points; a demangled-looking name (`.`, `(` or
    /// `->`) is app code; anything else native. A guess: a Python qualname without a file reads as
    /// app, a C function of the service as native. Profiles from the agent carry exact kinds instead.
    public static func guess(name: String, module: String = "") -> FrameKind {
        if !module.isEmpty, let byModule = kind(ofLibrary: module.split(separator: "/").last.map(String.init) ?? module) {
            return byModule
        }
        if name.isEmpty || Frame(name: name).isPlaceholder || name.hasPrefix("0x") || name.contains("+0x") { return .unknown }
        if isInterpreterSymbol(name) { return .interpreter }
        if isSwiftRuntime(symbol: name) { return .swiftRuntime }
        if libcSymbols.contains(name) || libcSymbolPrefixes.contains(where: { name.hasPrefix($0) }) { return .libc }
        if name.contains(".") || name.contains("(") || name.contains("->") { return .app }
        return .native
    }

    /// CPython's C API: `_Py*`, `Py_*`, `Py<Upper>*`.
    static func isInterpreterSymbol(_ name: String) -> Bool {
        if name.hasPrefix("_Py") || name.hasPrefix("Py_") { return true }
        guard name.hasPrefix("Py"), name.count > 2 else { return false }
        return name[name.index(name.startIndex, offsetBy: 2)].isUppercase
    }
}
