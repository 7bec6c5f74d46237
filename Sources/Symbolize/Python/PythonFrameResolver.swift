import ProfileModel

/// Turns the BPF walker's raw Python frames into named frames (qualname, file, line) by reading the code
/// objects from the live process. Names are cached per (pid, code pointer, co_firstlineno), and every read
/// is validated (object types, first line) before it is cached, because freed code objects get reused.
/// The cache outlives the process, so samples drained after it exits still get names.
/// Not thread-safe: use one resolver per draining task.
public final class PythonFrameResolver {
    /// Counters for the run's report: nothing is dropped silently.
    public struct Statistics: Sendable, Equatable {
        public var resolvedFrames = 0
        public var cacheHits = 0
        /// Frames whose code object could not be read or validated: named `[unknown python]`.
        public var unresolvedFrames = 0
        /// 3.13 `_Py_InitCleanup` pseudo-frames left out of grouped stacks (not user code).
        public var skippedShimFrames = 0
        /// The latest read failure, for the run's log.
        public var lastError: String?

        public init() {}
    }

    /// Beyond this many cached code objects the cache starts over (bounded memory on long runs).
    public static let cacheLimit = 200_000

    public private(set) var statistics = Statistics()
    private var processes: [Int32: PythonProcessInfo] = [:]
    private var cache: [CodeKey: PythonCodeInfo] = [:]

    private struct CodeKey: Hashable {
        var pid: Int32
        var code: UInt64
        var firstLine: Int32
    }

    public init() {}

    /// Tells the resolver the type-object addresses of `info.pid`, so reads there are type-checked.
    /// Without it, reads are checked by co_firstlineno and string sanity only.
    public func register(_ info: PythonProcessInfo) {
        processes[info.pid] = info
    }

    /// Drops what is kept for processes that exited: their type addresses and code names (a reused pid
    /// is another interpreter, whose code objects sit elsewhere).
    public func forget(pids: Set<Int32>) {
        guard !pids.isEmpty else { return }
        for pid in pids { processes[pid] = nil }
        cache = cache.filter { !pids.contains($0.key.pid) }
    }

    /// Names `frames` (leaf first, as the walker wrote them) of process `pid`. Same count and order.
    public func resolve(pid: Int32, frames: [PythonRawFrame]) -> [Frame] {
        frames.map { resolve(pid: pid, frame: $0) }
    }

    /// `resolve(pid:frames:)` with each frame's eval-loop group, the input of `PythonStackMerger`.
    /// Leaves out 3.13's `_Py_InitCleanup` pseudo-frame (between a specialised `Cls()` call and
    /// `Cls.__init__`; owner THREAD, so the walker keeps it), which is no Python function.
    public func resolveGrouped(pid: Int32, frames: [PythonRawFrame]) -> [(frame: Frame, group: Int)] {
        frames.compactMap { raw in
            let info = codeInfo(pid: pid, raw: raw)
            if info?.isInitCleanupShim == true {
                statistics.skippedShimFrames += 1
                return nil
            }
            return (frame: frame(raw, info: info), group: Int(raw.group))
        }
    }

    /// Names one frame.
    public func resolve(pid: Int32, frame raw: PythonRawFrame) -> Frame {
        frame(raw, info: codeInfo(pid: pid, raw: raw))
    }

    /// The named frame for `raw` whose code object read as `info` (nil: unreadable).
    private func frame(_ raw: PythonRawFrame, info: PythonCodeInfo?) -> Frame {
        guard let info else {
            statistics.unresolvedFrames += 1
            return Frame(name: Frame.unknownPythonName, module: "", kind: .python)
        }
        statistics.resolvedFrames += 1
        let line = info.lineTable?.line(at: Int(raw.lasti)) ?? info.firstLine
        return Frame(name: info.qualifiedName, module: info.moduleName, kind: .python, file: info.fileName, line: line)
    }

    private func codeInfo(pid: Int32, raw: PythonRawFrame) -> PythonCodeInfo? {
        let key = CodeKey(pid: pid, code: raw.code, firstLine: raw.firstLineNumber)
        if let cached = cache[key] {
            statistics.cacheHits += 1
            return cached
        }
        do {
            let info = try readCode(reader: PythonMemoryReader(pid: pid), raw: raw, process: processes[pid])
            if cache.count >= PythonFrameResolver.cacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[key] = info
            return info
        } catch {
            statistics.lastError = "\(error)"
            return nil
        }
    }
}
