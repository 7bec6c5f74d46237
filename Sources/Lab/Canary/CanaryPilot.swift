import Foundation
import ProfileModel
import LabRuntime

/// Sizes canary captures from a short pilot of both versions: how many samples per side the planted
/// regression needs to be caught with `SamplingPower.target` power (`CanarySizing`), and how many
/// seconds of the canary load give that many at the sample rate the pilot saw.
public struct CanaryPilot: Sendable {
    /// The pilot's findings and the length chosen from them.
    public struct Plan: Codable, Sendable {
        public var sizing: CanarySizing
        public var pilotSeconds: Double
        /// The smaller of the two versions' CPU samples per second in the pilot.
        public var samplesPerSecond: Double
        /// Samples per side needed for every planned conclusion, nil if unreachable.
        public var requiredSamples: Double?
        /// Seconds per canary: the required samples with a 15% margin, within [minimum, maximum].
        public var seconds: Double
        /// True when `maximum` cut the length short of the required samples.
        public var capped: Bool
        /// The planned powers at the chosen length.
        public var gatePower: Double
        public var topChangePower: Double

        /// Expected samples per side at the chosen length.
        public var expectedSamples: Double { seconds * samplesPerSecond }
        /// Both conclusions reach the target power at the chosen length.
        public var powered: Bool { gatePower >= sizing.target && topChangePower >= sizing.target }

        /// One line for reports: what the pilot saw, what it asked for and what it got.
        public var summary: String {
            String(format: "pilot %.0f s: %@ at %.1f%% of v2 (planned at %.1f%%, variance ×%.1f planned from ×%.1f over %d blocks), %.0f samples/s; needs %@ samples per side for %.1f%% power; %.0f s canaries (~%.0f samples): gate power %.4f, top-of-diff power %.4f%@",
                   pilotSeconds, FunctionName.display(sizing.function) as NSString, sizing.pilotCandidateShare * 100,
                   sizing.plannedCandidateShare * 100, sizing.plannedDispersion, sizing.pilotDispersion, sizing.pilotBlocks, samplesPerSecond,
                   (requiredSamples.map { String(format: "%.0f", $0) } ?? "unreachable") as NSString, sizing.target * 100,
                   seconds, expectedSamples, gatePower, topChangePower, capped ? " (capped by the time budget)" : "")
        }
    }

    public var rate: Double
    public var hz: Int
    public var port: UInt16
    public var pilotSeconds: Double
    public var plantedFunction: String
    public var rule: GateRule
    /// The continuous agent the pilot reads its captures from (nil: one-shot agents).
    public var session: StoreAgentSession?

    public init(rate: Double, hz: Int, port: UInt16, pilotSeconds: Double, plantedFunction: String, rule: GateRule = GateRule()) {
        self.rate = rate
        self.hz = hz
        self.port = port
        self.pilotSeconds = pilotSeconds
        self.plantedFunction = plantedFunction
        self.rule = rule
    }

    /// Captures the pilot (`base` then `candidate`) and plans canaries of `minimum...maximum` seconds.
    public func plan(base: String, candidate: String, minimum: Double, maximum: Double,
                     controller: ServiceController, progress: ProgressLine?) throws -> Plan {
        progress?.update("pilot: \(Int(pilotSeconds)) s canaries of \(base) and \(candidate) to size the captures")
        let load = try CanaryPair.load(rate: rate, seconds: pilotSeconds)
        let pair = try CanaryPair.capture(baseVersion: base, candidateVersion: candidate, port: port, hz: hz, load: load, controller: controller,
                                          session: session)
        let pilotBase = try pair.base.profile(.cpu), pilotCandidate = try pair.candidate.profile(.cpu)
        guard let sizing = CanarySizing.plan(pilotBase: pilotBase, pilotCandidate: pilotCandidate, function: plantedFunction, rule: rule) else {
            throw FlamelabError("failed to size the canaries: the \(candidate) pilot has no samples in \(plantedFunction) (\(pilotCandidate.samples.count) samples)")
        }
        let perSecond = min(Double(pilotBase.samples.count), Double(pilotCandidate.samples.count)) / pilotSeconds
        return Self.choose(sizing: sizing, pilotSeconds: pilotSeconds, samplesPerSecond: perSecond, minimum: minimum, maximum: maximum)
    }

    /// The canary length for `sizing` at `samplesPerSecond`, within the bounds.
    public static func choose(sizing: CanarySizing, pilotSeconds: Double, samplesPerSecond: Double, minimum: Double, maximum: Double) -> Plan {
        let required = sizing.requiredSamples
        let wanted = required.map { $0 * 1.15 / max(samplesPerSecond, 1) } ?? .infinity
        let seconds = min(max(wanted.rounded(.up), minimum), maximum)
        let samples = seconds * samplesPerSecond
        return Plan(sizing: sizing, pilotSeconds: pilotSeconds, samplesPerSecond: samplesPerSecond, requiredSamples: required,
                    seconds: seconds, capped: wanted > maximum, gatePower: sizing.gatePower(samples: samples),
                    topChangePower: sizing.topChangePower(samples: samples))
    }
}
