import Foundation
import ProfileModel
import Symbolize
import LabRuntime

/// Stacks (root first) with how many samples each stands for: the common ground between the agent's
/// `Profile` and the peers' text output, on which every polyglot figure is computed.
public struct StackSamples: Sendable {
    public private(set) var stacks: [[Frame]] = []
    public private(set) var weights: [Int] = []

    public init() {}

    /// Every sample of `profile` (one sample counts once, as for the peers); with `window` (CLOCK_MONOTONIC
    /// ns, the BPF clock) only the samples taken inside it, so configurations started one after the
    /// other are compared over the same seconds.
    public init(profile: Profile, window: ClosedRange<UInt64>? = nil) {
        var weightsByStack = [Int](repeating: 0, count: profile.stacks.count)
        for sample in profile.samples {
            if let window, let time = sample.labels.timestampNs, !window.contains(time) { continue }
            weightsByStack[sample.stackID] += 1
        }
        for id in weightsByStack.indices where weightsByStack[id] > 0 {
            add(profile.frames(ofStack: id), weight: weightsByStack[id])
        }
    }

    public mutating func add(_ rootFirst: [Frame], weight: Int = 1) {
        stacks.append(rootFirst)
        weights.append(weight)
    }

    /// Samples in total.
    public var sampleCount: Int { weights.reduce(0, +) }

    /// The per-class figures.
    public var quality: SymbolizationQuality {
        SymbolizationQuality(stacks: stacks, order: .rootFirst, weights: weights)
    }

    /// Samples of the embedded Python worker: stacks holding a libpython (interpreter) or Python frame.
    public var workerSamples: Int {
        weighted { stack in stack.contains { $0.kind == .interpreter || $0.kind == .python } }
    }

    /// Of the worker's samples, those with at least one named Python frame.
    public var workerSamplesWithPythonNames: Int {
        weighted { stack in
            stack.contains { $0.kind == .interpreter || $0.kind == .python }
                && stack.contains(where: Self.isNamedPython)
        }
    }

    /// Samples running Python code: a Python frame, or libpython's eval loop, on the stack.
    public var evalLoopSamples: Int {
        weighted { stack in stack.contains { $0.kind == .python || $0.name == Self.evalLoopName } }
    }

    /// Of the eval-loop samples, those with at least one named Python frame.
    public var evalLoopSamplesWithPythonNames: Int {
        weighted { stack in stack.contains(where: Self.isNamedPython) }
    }

    /// A Python frame the resolver could name (`[unknown python]` is one it could not).
    static func isNamedPython(_ frame: Frame) -> Bool {
        frame.kind == .python && frame.isNamed
    }

    /// CPython 3.11's bytecode interpreter function.
    public static let evalLoopName = "_PyEval_EvalFrameDefault"

    /// Folded stacks (`root;...;leaf count`), most frequent first, for a reader's own tools.
    public func folded() -> String {
        var counts: [String: Int] = [:]
        for (stack, weight) in zip(stacks, weights) {
            counts[stack.map { $0.name.replacingOccurrences(of: ";", with: ":") }.joined(separator: ";"), default: 0] += weight
        }
        return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.key) \($0.value)\n" }.joined()
    }

    /// Samples whose stack holds a frame named exactly `name` (e.g. a Python function).
    public func samples(containing name: String) -> Int {
        weighted { stack in stack.contains { $0.name == name } }
    }

    /// The most frequent leaf frames of `kind`'s unnamed frames' modules, for the write-up.
    public func topUnnamed(_ kind: FrameKind, limit: Int) -> [(name: String, count: Int)] {
        var counts: [String: Int] = [:]
        for (stack, weight) in zip(stacks, weights) {
            for frame in stack where frame.kind == kind && !frame.isNamed {
                counts[frame.name == Frame.unknownName ? "\(Frame.unknownName) (\(frame.module.isEmpty ? "no module" : frame.module))" : frame.name, default: 0] += weight
            }
        }
        return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(limit).map { ($0.key, $0.value) }
    }

    /// The most frequent named frames of `kind`.
    public func topNamed(_ kind: FrameKind, limit: Int) -> [(name: String, count: Int)] {
        var counts: [String: Int] = [:]
        for (stack, weight) in zip(stacks, weights) {
            for frame in Set(stack.filter { $0.kind == kind && $0.isNamed }) {
                counts[frame.name, default: 0] += weight
            }
        }
        return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(limit).map { ($0.key, $0.value) }
    }

    private func weighted(_ predicate: ([Frame]) -> Bool) -> Int {
        zip(stacks, weights).reduce(0) { $0 + (predicate($1.0) ? $1.1 : 0) }
    }
}
