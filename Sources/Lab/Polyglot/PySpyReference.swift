import Foundation

/// py-spy (from PyPI) sampling the service's embedded interpreter over the same window as the agents:
/// the reference for the Python worker's function split. It reads the interpreter's memory from
/// outside with process_vm_readv, a method independent of flamelab's BPF walker. `--gil` keeps only the
/// thread holding the GIL: the one on CPU, as flamelab samples. Without it py-spy also counts the
/// worker threads queued for the GIL, at the frame where they wait.
public struct PySpyReference: Codable, Sendable {
    /// py-spy's rate: twice the agent's, for a reference with more samples than what it checks.
    public static let hz = 197

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
            command = ["record", "--pid", "\(pid)", "--rate", "\(hz)", "--duration", "\(Int(seconds.rounded(.up)))",
                       "--format", "raw", "--nonblocking", "--gil", "-o", output]
            guard let executable = PeerProfiler.findExecutable("py-spy") else {
                process = nil
                startError = "py-spy not found on PATH (pip install py-spy)"
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
