import Foundation
import ProfileModel
import LabRuntime

/// py-spy (from PyPI) sampling the service's embedded interpreter over the same window as the agents:
/// the reference for the Python worker's function split. It reads the interpreter's memory from
/// outside with process_vm_readv, a method independent of flamelab's BPF walker. `--gil` keeps only the
/// thread holding the GIL: the one on CPU, as flamelab samples. Without it py-spy also counts the
/// worker threads queued for the GIL, at the frame where they wait.
public struct PySpyReference: Codable, Sendable {
    /// py-spy's rate, and the one agent's beside it: both well above the lab's 99 Hz, so the window
    /// that gives the comparison its power stays short.
    public static let hz = 499
    /// The largest gap in points the comparison allows, and the variance ratio it assumes for
    /// neighbouring samples of one worker call (they are correlated: a call spans many samples).
    public static let tolerance = 0.05
    public static let assumedDispersion = 2.0

    /// The window in which two estimates of a share near 3/4 (p(1-p) taken at its worst, 1/4) at
    /// `hz` each agree within `tolerance` with `SamplingPower.target` probability, given the worker's
    /// samples per second seen at `sampledHz`; at least 8 s, at most `maximum`.
    public static func windowSeconds(workerSamplesPerSecondAt sampledHz: Int, rate: Double?, maximum: Double) -> Double {
        guard let rate, rate > 0 else { return min(20, maximum) }
        let perSecond = rate * Double(hz) / Double(sampledHz)
        let z = ShareStatistics.normalQuantile(1 - (1 - SamplingPower.target) / 2)
        let seconds = z * z * 0.25 * assumedDispersion * (2 / perSecond) / (tolerance * tolerance)
        return min(max(8, seconds.rounded(.up)), maximum)
    }

    /// The probability, at the samples taken, that the two agree within `tolerance` when both are right.
    public var agreementPower: Double {
        SamplingPower.agreement(share: 0.75, n1: Double(recommendSamples), d1: Self.assumedDispersion,
                                n2: Double(flamelabFunctionSamples["recommend"] ?? 0), d2: Self.assumedDispersion, tolerance: Self.tolerance)
    }

    /// Samples inside `recommend`, and through each planted function.
    public var recommendSamples = 0
    public var functionSamples: [String: Int] = [:]
    public var command = ""
    public var error: String?
    /// The agent (auto +py) that sampled the same window: samples in `recommend` and per function.
    public var flamelabFunctionSamples: [String: Int] = [:]
    public var seconds = 0.0

    /// The agent's share of `name` inside `recommend` in the same window (nil without samples).
    public func flamelabShare(_ name: String) -> Double? {
        let total = flamelabFunctionSamples["recommend"] ?? 0
        return total > 0 ? Double(flamelabFunctionSamples[name] ?? 0) / Double(total) : nil
    }

    /// Share of `name` among the samples inside `recommend` (nil without samples).
    public func share(_ name: String) -> Double? {
        recommendSamples > 0 ? Double(functionSamples[name] ?? 0) / Double(recommendSamples) : nil
    }

    /// A running `py-spy record` against one process.
    final class Recording {
        private let process: ChildProcess?
        private let output: String
        private let command: [String]
        private let startError: String?

        init(pid: Int32, hz: Int, seconds: Double, workDirectory: String) {
            output = "\(workDirectory)/py-spy.txt"
            command = PeerTool.pySpy.arguments(pid: pid, hz: hz, output: output, seconds: seconds)
            guard let executable = PeerTool.pySpy.installedPath else {
                process = nil
                startError = "py-spy not found on PATH (\(PeerTool.pySpy.installHint))"
                return
            }
            do {
                process = try ChildProcess(executable, command, output: "\(workDirectory)/py-spy.log")
                startError = nil
            } catch {
                process = nil
                startError = "failed to start py-spy: \(error)"
            }
        }

        /// Waits for py-spy's window to end and counts its stacks.
        func finish(seconds: Double) -> PySpyReference {
            var reference = PySpyReference()
            reference.command = "py-spy " + command.joined(separator: " ")
            guard let process else {
                reference.error = startError
                return reference
            }
            if !process.wait(seconds: seconds + 60) {
                process.signal(SIGINT)
                _ = process.wait(seconds: 10)
            }
            guard let text = try? PeerProfiler.read(output) else {
                reference.error = "failed to read py-spy's output: exit status \(process.exitStatus ?? -1)"
                return reference
            }
            reference.count(text)
            return reference
        }
    }

    /// `--format raw`: one folded stack per line, `frame;frame;... COUNT`, a frame being `name (file:line)`.
    mutating func count(_ text: String) {
        for line in text.split(separator: "\n") {
            guard let space = line.lastIndex(of: " "), let samples = Int(line[line.index(after: space)...]) else { continue }
            let names = Set(line[..<space].split(separator: ";").map { frame in
                String(frame.range(of: " (").map { frame[..<$0.lowerBound] } ?? frame)
            })
            guard names.contains("recommend") else { continue }
            recommendSamples += samples
            for name in ["score_candidates", "rank_features"] where names.contains(name) {
                functionSamples[name, default: 0] += samples
            }
        }
    }
}
