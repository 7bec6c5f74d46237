import Foundation
import Synchronization
import ProfileModel

/// What flamelab knows about Swift's concurrency runtime (`libswift_Concurrency.so`): where in a process
/// the executor calls async funclets, which resume functions are only runtime plumbing, and how funclet
/// names map to the async function they belong to.
///
/// The Swift ABI facts relied on, each checked at attach time where it can be:
/// - The executor (`swift_job_run` -> `runJobInEstablishedExecutorContext`) calls the running funclet, so the
///   funclet's frame is the one whose return address lies in the library's code. Checked: the library
///   must define `swift_job_run`.
/// - Funclets are mangled `<async function>TQ<n>_` (await resume) or `TY<n>_` (suspend resume)
///   (docs/ABI/Mangling.rst). Checked: the library must define such symbols (its own `Task.yield`
///   and friends are async functions too), else the mangling changed and the walker stays off.
/// - The context layout (Parent at +0, ResumeParent at +8) and the FP - 8 slot: bpf/swift_async.h.
///   Checked per sample in user space: every resume function must be a funclet or runtime code.
public struct SwiftConcurrencyRuntime: Sendable, Equatable {
    /// The library's file name prefix (a versioned soname may follow).
    public static let libraryPrefix = "libswift_Concurrency.so"
    /// The executor's entry point for running a job: present in every runtime since Swift 5.5.
    public static let jobRunSymbol = "swift_job_run"

    /// The path of the library mapped in the process.
    public let path: String
    /// The library's executable mapping: calls from here into a funclet are executor calls.
    public let executorStart: UInt64
    public let executorEnd: UInt64
    /// Funclet symbols the library defines (a sanity figure for the report).
    public let funcletSymbols: Int

    /// Finds and checks the concurrency runtime mapped in `pid`. nil when the process does not load
    /// it (not a Swift async program, or the stdlib linked statically: not supported). Throws
    /// `failed to ...` when it is loaded but does not look as expected.
    public static func inspect(pid: Int32) throws -> SwiftConcurrencyRuntime? {
        let maps = try ProcessMaps.read(pid: pid)
        let code = maps.mappings.filter { $0.isExecutable && $0.isFileBacked && isLibrary($0.path) }
        guard let first = code.first else { return nil }
        let funclets = try checkedFuncletCount(path: maps.openablePath(of: first), shownAs: first.path, inode: first.inode)
        let sameFile = code.filter { $0.path == first.path }
        return SwiftConcurrencyRuntime(path: first.path, executorStart: sameFile.map(\.start).min()!,
                                       executorEnd: sameFile.map(\.end).max()!, funcletSymbols: funclets)
    }

    /// Verdicts per library file (path and inode): every Swift process of a host maps the same one.
    private static let verdicts = Mutex<[String: Result<Int, FlamelabError>]>([:])

    /// Checks the library's symbols once per file; returns its funclet count.
    private static func checkedFuncletCount(path: String, shownAs name: String, inode: UInt64) throws -> Int {
        let key = "\(name)#\(inode)"
        if let known = verdicts.withLock({ $0[key] }) { return try known.get() }
        let verdict: Result<Int, FlamelabError>
        do {
            verdict = .success(try funcletCount(path: path, shownAs: name))
        } catch let error as FlamelabError {
            verdict = .failure(error)
        } catch {
            verdict = .failure(.failed("check", "Swift concurrency runtime \(name)", "\(error)"))
        }
        verdicts.withLock { $0[key] = verdict }
        return try verdict.get()
    }

    /// Reads the library's function symbols: it must run jobs (`swift_job_run`) and hold funclets.
    private static func funcletCount(path: String, shownAs name: String) throws -> Int {
        let symbols = try ElfImage.functionSymbols(path: path)
        guard symbols.contains(where: { $0.name == jobRunSymbol }) else {
            throw FlamelabError.failed("check", "Swift concurrency runtime \(name)", "no \(jobRunSymbol) symbol")
        }
        let funclets = symbols.filter { isFuncletSymbol($0.name) }.count
        guard funclets > 0 else {
            throw FlamelabError.failed("check", "Swift concurrency runtime \(name)", "no TQ/TY funclet symbols (mangling changed?)")
        }
        return funclets
    }

    static func isLibrary(_ path: String) -> Bool {
        (path.split(separator: "/").last.map(String.init) ?? path).hasPrefix(libraryPrefix)
    }

    /// True for a funclet's linker name: `...TQ<digits>_` or `...TY<digits>_` (the backtracer's rule).
    public static func isFuncletSymbol(_ mangled: String) -> Bool {
        guard mangled.hasSuffix("_") else { return false }
        let body = mangled.dropLast().reversed().drop(while: \.isNumber)
        let suffix = String(body.prefix(2).reversed())
        return suffix == "TQ" || suffix == "TY"
    }

    /// The demangler's wording for a funclet: `(1) await resume partial function for X`.
    static let funcletMarkers = [" await resume partial function for ", " suspend resume partial function for "]

    /// True for a demangled funclet name.
    public static func isFuncletName(_ demangled: String) -> Bool {
        demangled.hasPrefix("(") && funcletMarkers.contains { demangled.contains($0) }
    }

    /// The async function a demangled funclet name belongs to (`X` for `(1) await resume partial
    /// function for X`), so that all of a function's funclets make one flame-graph box. Other names as they are.
    public static func asyncFunctionName(_ demangled: String) -> String {
        guard demangled.hasPrefix("(") else { return demangled }
        for marker in funcletMarkers {
            if let range = demangled.range(of: marker) { return String(demangled[range.upperBound...]) }
        }
        return demangled
    }

    /// Functions of the runtime that end a task's chain or adapt a resumption (Task.cpp, TaskGroup.cpp):
    /// plumbing, not a caller anyone wrote. Matched on the demangled C++ name's base.
    static let plumbingFunctions: Set<String> = [
        "completeTask", "completeTaskAndRelease", "completeTaskWithClosure", "completeInlineTask",
        "non_future_adapter", "future_adapter", "task_wait_throwing_resume_adapter",
        "task_future_wait_resume_adapter", "task_group_wait_resume_adapter",
    ]

    /// True when `frame` is one of the runtime's completion or adapter functions.
    public static func isPlumbing(_ frame: Frame) -> Bool {
        guard isLibrary(frame.module) else { return false }
        let base = frame.name.split(separator: "(", maxSplits: 1).first.map(String.init) ?? frame.name
        return plumbingFunctions.contains(base.replacingOccurrences(of: "swift::", with: ""))
    }

    /// True when `frame` is code of the concurrency runtime.
    public static func isRuntimeFrame(_ frame: Frame) -> Bool {
        isLibrary(frame.module)
    }
}
