import ProfileModel

/// Puts a sample's Swift async callers into its machine stack.
///
/// A Swift async function runs as funclets the executor calls one at a time, so the machine stack of a
/// sample in `b` (awaited by `a`, awaited by `handler`) reads `start_thread ... swift_job_run ...
/// runJobInEstablishedExecutorContext; b's funclet; hot`. The walker read `b`'s callers from its async
/// context chain (resume functions of `a`, then of `handler`, then the task's completion). The merged stack,
/// root first, reads `... runJobInEstablishedExecutorContext; handler [async]; a [async]; b; hot`:
/// the executor frames stay at the root, so every task on a thread still hangs under the same executor
/// box, and the async callers sit where the program's logic put them.
public struct SwiftAsyncStackMerger: Sendable {
    /// How chains were merged, for the run's report.
    public struct Statistics: Sendable, Equatable {
        /// Stacks that gained async callers.
        public var spliced = 0
        /// Chains dropped because the funclet's pc was not in the machine stack (a DWARF unwind that differs).
        public var funcletNotFound = 0
        /// Chains dropped because the first resume function was neither a funclet nor runtime code
        /// (the word at FP - 8 was not a context: a sample in a prologue or a frameless funclet).
        public var rejected = 0

        public init() {}
    }

    public private(set) var statistics = Statistics()
    /// The frame standing for async callers beyond the walker's bound.
    public static let truncationName = "[more async callers]"

    public init() {}

    /// Merges `callers` (resume functions as symbolized, innermost caller first) into `native` (leaf
    /// first, one frame per entry of `nativeAddresses`) at the frame whose address is `funcletPC`.
    /// Returns a leaf-first stack; `native` unchanged when the chain does not fit. `truncated` (the walker
    /// stopped at its bound) adds `truncationName` root-side of the callers, so a cut chain is not read as whole.
    public mutating func merge(native: [Frame], nativeAddresses: [UInt64], funcletPC: UInt64, callers: [Frame],
                               truncated: Bool = false) -> [Frame] {
        guard !callers.isEmpty else { return native }
        guard let splice = nativeAddresses.firstIndex(of: funcletPC), splice < native.count else {
            statistics.funcletNotFound += 1
            return native
        }
        let running = native[splice]
        let accepted = Self.plausiblePrefix(callers, running: running)
        guard !accepted.isEmpty else {
            statistics.rejected += 1
            return native
        }
        statistics.spliced += 1
        var runningNamed = running
        runningNamed.name = SwiftConcurrencyRuntime.asyncFunctionName(running.name)
        var asyncFrames = accepted.filter { !SwiftConcurrencyRuntime.isPlumbing($0) }.map(Self.asyncFrame)
        if truncated, accepted.count == callers.count { asyncFrames.append(Frame(name: Self.truncationName, kind: .swiftAsync)) }
        return Array(native[..<splice]) + [runningNamed] + asyncFrames + Array(native[(splice + 1)...])
    }

    /// The leading callers that are funclets or runtime code; nothing when the first is neither.
    /// A first caller equal to the running funclet is dropped: sampled in the first instructions of an
    /// await-resume funclet, the FP - 8 slot still holds the finished callee's context, whose resume
    /// function is the running funclet itself.
    static func plausiblePrefix(_ callers: [Frame], running: Frame) -> [Frame] {
        var callers = callers[...]
        if callers.first?.name == running.name, SwiftConcurrencyRuntime.isFuncletName(running.name) {
            callers = callers.dropFirst()
        }
        return Array(callers.prefix { SwiftConcurrencyRuntime.isFuncletName($0.name) || SwiftConcurrencyRuntime.isRuntimeFrame($0) })
    }

    /// A resume function as an async caller: named after its async function, kind `.swiftAsync`.
    static func asyncFrame(_ frame: Frame) -> Frame {
        Frame(name: SwiftConcurrencyRuntime.asyncFunctionName(frame.name), module: frame.module, kind: .swiftAsync,
              file: frame.file, line: frame.line)
    }
}
