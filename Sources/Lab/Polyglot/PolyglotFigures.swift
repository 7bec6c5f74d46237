import ProfileModel
import Symbolize
import LabRuntime

/// The measured figures of one profiler configuration: per class of frame, and the Python worker's coverage.
public struct PolyglotFigures: Codable, Sendable {
    /// One class of frame under one configuration.
    public struct ClassRow: Codable, Sendable {
        public var frameClass: String
        public var frames: Int
        public var namedFrames: Int
        public var unknownFrames: Int
        public var stacks: Int
        public var stacksReachingRoot: Int
        public var namedPercent: Double
        public var rootReachedPercent: Double
    }

    public var setup: String
    public var command: String
    /// Set when the configuration could not run (e.g. the tool is missing); then there are no figures.
    public var error: String?
    public var samples: Int = 0
    public var userStacksReachingRootPercent: Double = 0
    public var classes: [ClassRow] = []
    /// Samples with a libpython or Python frame (the embedded worker running).
    public var workerSamples: Int = 0
    /// Of which carry at least one named Python frame.
    public var workerSamplesWithPythonNames: Int = 0
    /// Samples running Python code (a Python frame or `_PyEval_EvalFrameDefault` on the stack).
    public var evalLoopSamples: Int = 0
    /// Of which carry at least one named Python frame.
    public var evalLoopSamplesWithPythonNames: Int = 0
    /// Samples through each of the worker's Python functions.
    public var pythonFunctionSamples: [String: Int] = [:]
    /// Agent-only notes (unwinder counts, drops).
    public var notes: [String] = []

    /// The classes of frame reported, in table order, with their reader-facing names.
    public static let reportedClasses: [(kind: FrameKind, title: String)] = [
        (.app, "service Swift code"), (.swiftRuntime, "Swift runtime, Foundation, Dispatch"), (.libc, "glibc"),
        (.interpreter, "libpython C"), (.python, "Python frames"), (.kernel, "kernel"),
        (.native, "other native"), (.unknown, "no module"),
    ]

    /// The worker functions whose split the report shows.
    public static let pythonFunctions = ["score_candidates", "rank_features", "recommend"]

    public init(setup: ProfilerSetup, command: String, error: String) {
        self.setup = setup.label
        self.command = command
        self.error = error
    }

    public init(setup: ProfilerSetup, command: String, stacks: StackSamples) {
        self.setup = setup.label
        self.command = command
        let quality = stacks.quality
        samples = stacks.sampleCount
        userStacksReachingRootPercent = quality.userStacks == 0 ? 0 : Double(quality.userStacksReachingRoot) * 100 / Double(quality.userStacks)
        classes = Self.reportedClasses.map { entry in
            let f = quality.byKind[entry.kind]
            return ClassRow(frameClass: entry.kind.rawValue, frames: f?.frames ?? 0, namedFrames: f?.namedFrames ?? 0,
                            unknownFrames: f?.unknownFrames ?? 0, stacks: f?.stacks ?? 0, stacksReachingRoot: f?.stacksReachingRoot ?? 0,
                            namedPercent: f?.namedPercent ?? 0, rootReachedPercent: f?.rootReachedPercent ?? 0)
        }
        workerSamples = stacks.workerSamples
        workerSamplesWithPythonNames = stacks.workerSamplesWithPythonNames
        evalLoopSamples = stacks.evalLoopSamples
        evalLoopSamplesWithPythonNames = stacks.evalLoopSamplesWithPythonNames
        for name in Self.pythonFunctions { pythonFunctionSamples[name] = stacks.samples(containing: name) }
    }

    /// The row of `kind`, if measured.
    public func row(_ kind: FrameKind) -> ClassRow? {
        classes.first { $0.frameClass == kind.rawValue }
    }

    /// % of the eval-loop samples with a named Python frame.
    public var evalLoopPythonNamedPercent: Double {
        evalLoopSamples == 0 ? 0 : Double(evalLoopSamplesWithPythonNames) * 100 / Double(evalLoopSamples)
    }

    /// % of the worker's samples with a named Python frame.
    public var workerPythonNamedPercent: Double {
        workerSamples == 0 ? 0 : Double(workerSamplesWithPythonNames) * 100 / Double(workerSamples)
    }
}
