/// Guesses a frame's `FrameKind` from its name and module, for inputs that carry no kind
/// (folded stacks, speedscope, foreign pprof files).
///
/// Rules, first match wins:
/// 1. Module: `[kernel...]`/`vmlinux` -> kernel; `*.py` -> python; `libpython*` -> interpreter;
///    `libc.so*`, `ld-linux*`, `libm.so*`, `libpthread*` -> libc; `libswift*`, `libFoundation*`,
///    `libdispatch*`, `libBlocksRuntime*` -> swiftRuntime.
/// 2. Name: `[unknown]`, `0x...`, `module+0x...` -> unknown; `_Py*`/`Py<Upper>*`/`Py_*` ->
///    interpreter; Swift runtime prefixes (`swift_`, `$s`, `Swift.`, `Foundation.`, `Dispatch.`,
///    `dispatch_`, `_dispatch_`) -> swiftRuntime; a short list of glibc entry points
///    (`__libc_*`, `pthread_*`, `start_thread`, `clone3`, `__GI_*`, `_dl_*`, ...) -> libc.
/// 3. A demangled-looking name (contains `.`, `(` or `->`) -> app; anything else -> native.
///
/// It is a heuristic: a Python qualname without a file reads as app, a C function of the
/// service reads as native. Profiles that came from the agent carry exact kinds instead.
public enum FrameKindHeuristic {
    /// The guessed kind of a frame named `name` in `module` (empty when unknown).
    public static func kind(name: String, module: String = "") -> FrameKind {
        if let byModule = kind(module: module) { return byModule }
        return kind(name: name)
    }

    static func kind(module: String) -> FrameKind? {
        if module.isEmpty { return nil }
        let base = module.split(separator: "/").last.map(String.init) ?? module
        if base.hasPrefix("[kernel") || base == "vmlinux" { return .kernel }
        if base.hasSuffix(".py") { return .python }
        if base.hasPrefix("libpython") { return .interpreter }
        for prefix in ["libc.so", "libc-", "ld-linux", "libm.so", "libpthread"] where base.hasPrefix(prefix) {
            return .libc
        }
        for prefix in ["libswift", "libFoundation", "libdispatch", "libBlocksRuntime", "lib_Foundation"]
            where base.hasPrefix(prefix) {
            return .swiftRuntime
        }
        return nil
    }

    static func kind(name: String) -> FrameKind {
        if name.isEmpty || name == "[unknown]" || name.hasPrefix("0x") || name.contains("+0x") { return .unknown }
        if isInterpreter(name) { return .interpreter }
        for prefix in swiftRuntimePrefixes where name.hasPrefix(prefix) { return .swiftRuntime }
        if libcNames.contains(name) { return .libc }
        for prefix in libcPrefixes where name.hasPrefix(prefix) { return .libc }
        if name.contains(".") || name.contains("(") || name.contains("->") { return .app }
        return .native
    }

    private static func isInterpreter(_ name: String) -> Bool {
        if name.hasPrefix("_Py") || name.hasPrefix("Py_") { return true }
        guard name.hasPrefix("Py"), name.count > 2 else { return false }
        let third = name[name.index(name.startIndex, offsetBy: 2)]
        return third.isUppercase
    }

    private static let swiftRuntimePrefixes = [
        "swift_", "_swift_", "$s", "Swift.", "Foundation.", "FoundationEssentials.", "Dispatch.",
        "dispatch_", "_dispatch_", "static Swift.", "(extension in Foundation)", "generic specialization <",
    ]
    private static let libcPrefixes = [
        "__libc_", "__GI_", "__pthread", "pthread_", "__lll_", "__futex", "_dl_", "__memcpy", "__memmove",
        "__memset", "__strlen", "__strcmp", "__nanosleep", "__clock_nanosleep", "__poll", "__epoll",
    ]
    private static let libcNames: Set<String> = [
        "start_thread", "clone3", "__clone", "clone", "_start", "malloc", "free", "calloc", "realloc",
        "nanosleep", "clock_nanosleep", "epoll_wait", "poll", "read", "write", "memcpy", "memmove", "memset",
    ]
}
