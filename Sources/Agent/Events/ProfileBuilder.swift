import ProfileModel
import Symbolize

/// Symbolizes the recorded stacks once each and builds one `Profile` per kind.
struct ProfileBuilder {
    let symbolizer: StackSymbolizing
    /// Puts the Python frames named by the recorder into the native stacks at the eval frames.
    var merger = PythonStackMerger()
    /// Puts the Swift async callers read by the walker above the executor frames.
    var asyncMerger = SwiftAsyncStackMerger()

    /// Frames per stack, kept across windows: a continuous agent sees mostly the same stacks every
    /// window and symbolizes each once. Two generations bound it: a stack unused for a whole window
    /// is dropped at the next `endWindow()`, so memory follows the working set, not the uptime.
    private var symbolized: [StackKey: [Frame]] = [:]
    private var symbolizedBefore: [StackKey: [Frame]] = [:]

    init(symbolizer: StackSymbolizing) {
        self.symbolizer = symbolizer
    }

    /// The profiles for `kinds`, stacks root first (user root ... user leaf, then kernel entry ... leaf).
    mutating func build(from recorder: SampleRecorder, kinds: [ProfileKind], metadata: (ProfileKind) -> ProfileMetadata) -> [Profile] {
        build(recorder.samples, recorder: recorder, kinds: kinds, metadata: metadata)
    }

    /// The same for some of the recorder's samples (one window's).
    mutating func build(_ samples: [SampleRecorder.RecordedSample], recorder: SampleRecorder, kinds: [ProfileKind],
                        metadata: (ProfileKind) -> ProfileMetadata) -> [Profile] {
        var profiles: [ProfileKind: Profile] = [:]
        var interned: [ProfileKind: [Int: Int]] = [:]
        for kind in kinds {
            profiles[kind] = Profile(metadata: metadata(kind))
            interned[kind] = [:]
        }
        for sample in samples {
            guard profiles[sample.kind] != nil else { continue }
            if let id = interned[sample.kind]?[sample.stack] {
                profiles[sample.kind]!.add(stackID: id, value: sample.value, labels: sample.labels)
                continue
            }
            let frames = frames(of: sample.stack, in: recorder)
            let ids = frames.map { profiles[sample.kind]!.intern($0) }
            let id = profiles[sample.kind]!.intern(stack: ids)
            interned[sample.kind]![sample.stack] = id
            profiles[sample.kind]!.add(stackID: id, value: sample.value, labels: sample.labels)
        }
        return kinds.compactMap { profiles[$0] }
    }

    /// Starts a new cache generation: stacks not seen since the previous call are dropped.
    mutating func endWindow() {
        symbolizedBefore = symbolized
        symbolized.removeAll(keepingCapacity: true)
    }

    private mutating func frames(of stack: Int, in recorder: SampleRecorder) -> [Frame] {
        let key = recorder.stacks[stack]
        if let known = symbolized[key] { return known }
        let frames = symbolizedBefore[key] ?? rootFirstFrames(key, python: recorder.pythonFrames[stack] ?? [])
        // A frame left unknown may be named later (a library loaded, maps re-read): not kept.
        if !frames.contains(where: { $0.isPlaceholder || $0.kind == .unknown }) { symbolized[key] = frames }
        return frames
    }

    private mutating func rootFirstFrames(_ key: StackKey, python: [(frame: Frame, group: Int)]) -> [Frame] {
        var user = key.user.isEmpty ? [] : symbolizer.symbolizeUser(pid: key.pid, addresses: key.user)
        if !key.swiftAsyncResume.isEmpty {
            // Resume functions are entry points, not return addresses: each is named as a leaf (no - 1).
            let callers = key.swiftAsyncResume.map { symbolizer.symbolizeUser(pid: key.pid, addresses: [$0])[0] }
            user = asyncMerger.merge(native: user, nativeAddresses: key.user, funcletPC: key.swiftAsyncFuncletPC, callers: callers,
                                      truncated: key.swiftAsyncTruncated)
        }
        if !python.isEmpty {
            user = merger.merge(native: user, python: python)
        }
        let kernel = key.kernel.isEmpty ? [] : Self.withoutProbeFrames(symbolizer.symbolizeKernel(addresses: key.kernel))
        let frames = Array(user.reversed()) + Array(kernel.reversed())
        return frames.isEmpty ? [Frame.unknown()] : frames
    }
}

extension ProfileBuilder {
    /// Kernel stacks taken in a tracepoint start with the BPF machinery that ran the program
    /// (`bpf_trace_run4`, the program itself): the blocked thread's stack begins at `__schedule`.
    static func withoutProbeFrames(_ kernelLeafFirst: [Frame]) -> [Frame] {
        guard kernelLeafFirst.prefix(6).contains(where: { $0.name.hasPrefix("bpf_trace_run") || $0.name.hasPrefix("__bpf_trace") }),
              let schedule = kernelLeafFirst.firstIndex(where: { $0.name == "__schedule" })
        else { return kernelLeafFirst }
        return Array(kernelLeafFirst[schedule...])
    }
}
