import ProfileModel
import LabRuntime

/// N A/A comparisons (v1 against v1) and N A/B comparisons (v1 against v2) of canary profiles under one
/// gate rule: the false-alarm rate and the detection rate at this canary length.
public struct GateCalibration: Sendable {
    public struct Result: Codable, Sendable {
        public var comparisons: Int
        public var falseAlarms: Int
        public var detections: Int
        /// A/B pairs whose top grown function in the gate's user-space diff is the planted regression, new or grown.
        public var plantedOnTopOfDiff: Int
        /// A/B pairs in which the gate listed the planted function among its findings (counted or not).
        public var plantedAmongFindings: Int
        public var secondsPerCanary: Double
        public var medianSamples: Double
        public var minimumSamples: Double
    }

    public var comparisons: Int
    public var secondsPerCanary: Double
    public var rule = GateRule()
    public var port: UInt16 = 18500
    public var hz = 999
    public var rate = CanaryPair.defaultRate
    /// The function v2 plants; the A/B diffs are checked for it.
    public var plantedFunction = "FraudScreening.scoreOrderRisk"
    /// The continuous agent the captures are read from (nil: one-shot agents).
    public var session: StoreAgentSession?

    public init(comparisons: Int, secondsPerCanary: Double) {
        self.comparisons = comparisons
        self.secondsPerCanary = secondsPerCanary
    }

    /// Captures v1 n+1 times and v2 n times, interleaved; A/A pairs are consecutive v1 captures, A/B pairs v1_i and v2_i.
    public func run(controller: ServiceController, progress: ProgressLine?) throws -> (result: Result, v1: [Profile], v2: [Profile]) {
        let load = try CanaryPair.load(rate: rate, seconds: secondsPerCanary)
        var v1: [Profile] = [], v2: [Profile] = []
        for i in 0...comparisons {
            progress?.update("gate calibration: \(Int(secondsPerCanary)) s canary captures \(i + 1)/\(comparisons + 1)")
            v1.append(try capture("v1", load: load, controller: controller))
            if i < comparisons { v2.append(try capture("v2", load: load, controller: controller)) }
        }
        let falseAlarms = try (0..<comparisons).filter { try !rule.evaluate(baseline: v1[$0], candidate: v1[$0 + 1]).passed }.count
        let abVerdicts = try (0..<comparisons).map { try rule.evaluate(baseline: v1[$0], candidate: v2[$0]) }
        // The diff the gate tests (user-space CPU), and its top *grown* function: a kernel burst in one
        // capture dilutes every user function at once, and the largest then "shrinks" past the planted growth.
        let plantedOnTop = (0..<comparisons).filter { i in
            let changes = ProfileDiff.compute(base: rule.testedProfile(v1[i]), candidate: rule.testedProfile(v2[i]))
            guard let top = changes.first(where: \.grew) else { return false }
            return top.name.contains(plantedFunction)
        }.count
        let among = abVerdicts.filter { ($0.reasons + $0.notSignificant).contains { $0.function.contains(plantedFunction) } }.count
        let counts = (v1 + v2).map { Double($0.samples.count) }
        let result = Result(comparisons: comparisons, falseAlarms: falseAlarms, detections: abVerdicts.filter { !$0.passed }.count,
                            plantedOnTopOfDiff: plantedOnTop, plantedAmongFindings: among, secondsPerCanary: secondsPerCanary,
                            medianSamples: Statistics.median(counts) ?? 0, minimumSamples: counts.min() ?? 0)
        return (result, v1, v2)
    }

    private func capture(_ version: String, load: LoadOptions, controller: ServiceController) throws -> Profile {
        var run = ProfiledRun(version: version, port: port)
        run.hz = session?.hz ?? hz
        run.session = session
        return try run.capture(load: load, controller: controller).profile(.cpu)
    }
}
