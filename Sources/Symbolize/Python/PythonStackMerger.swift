import ProfileModel

/// Puts Python frames into a native stack where the interpreter ran them.
///
/// CPython 3.11 runs a chain of Python->Python calls inside ONE `_PyEval_EvalFrameDefault`; the walker
/// numbers those chains ("groups") from the leaf. Group k goes just leafward of the k-th eval frame from
/// the leaf, so a native stack `[leaf C, EvalFrameDefault, call_function, EvalFrameDefault, main]` with
/// groups 0 and 1 reads `[leaf C, g0..., Eval, call_function, g1..., Eval, main]`.
public struct PythonStackMerger: Sendable {
    /// How stacks were merged, for the run's report.
    public struct Statistics: Sendable, Equatable {
        /// Stacks with Python frames placed at named eval frames.
        public var placedAtEvalFrames = 0
        /// Stacks with no named eval frame: Python frames put at the leaf end of the libpython run.
        public var placedAtInterpreterRun = 0
        /// Stacks with no libpython frame at all: Python frames put at the root end.
        public var placedAtRoot = 0
        /// Groups with no matching eval frame (native stack cut short): appended at the root end.
        public var unmatchedGroups = 0

        public init() {}
    }

    /// The interpreter's eval loop, exported in libpython's .dynsym (and Debian's static python3.11).
    public static let evalFrameName = "_PyEval_EvalFrameDefault"

    public private(set) var statistics = Statistics()

    public init() {}

    /// Merges `python` (leaf first, with groups) into `native` (leaf first). Returns a leaf-first stack.
    public mutating func merge(native: [Frame], python: [(frame: Frame, group: Int)]) -> [Frame] {
        guard !python.isEmpty else { return native }
        let evalIndices = native.indices.filter { PythonStackMerger.isEvalFrame(native[$0]) }
        if !evalIndices.isEmpty {
            statistics.placedAtEvalFrames += 1
            return mergeAtEvalFrames(native: native, python: python, evalCount: evalIndices.count)
        }
        let pythonFrames = python.map(\.frame)
        if let firstInterpreter = native.firstIndex(where: PythonStackMerger.isInterpreterFrame) {
            statistics.placedAtInterpreterRun += 1
            return Array(native[..<firstInterpreter]) + pythonFrames + Array(native[firstInterpreter...])
        }
        statistics.placedAtRoot += 1
        return native + pythonFrames
    }

    private mutating func mergeAtEvalFrames(native: [Frame], python: [(frame: Frame, group: Int)], evalCount: Int) -> [Frame] {
        var groups: [Int: [Frame]] = [:]
        for entry in python { groups[entry.group, default: []].append(entry.frame) }
        var merged: [Frame] = []
        merged.reserveCapacity(native.count + python.count)
        var evalSeen = 0
        for frame in native {
            if PythonStackMerger.isEvalFrame(frame) {
                merged += groups.removeValue(forKey: evalSeen) ?? []
                evalSeen += 1
            }
            merged.append(frame)
        }
        // Groups deeper than the native stack reaches keep their order at the root end.
        for group in groups.keys.sorted() {
            statistics.unmatchedGroups += 1
            merged += groups[group] ?? []
        }
        return merged
    }

    static func isEvalFrame(_ frame: Frame) -> Bool {
        frame.name == evalFrameName || frame.name.hasPrefix(evalFrameName + "+")
    }

    /// libpython's C, by kind or by module name (for symbolizers that leave the kind unset).
    static func isInterpreterFrame(_ frame: Frame) -> Bool {
        frame.kind == .interpreter || frame.module.hasPrefix("libpython") || frame.module.hasPrefix("python3")
    }
}
