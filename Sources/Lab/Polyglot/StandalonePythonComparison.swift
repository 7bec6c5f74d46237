import Agent
import Foundation
import ProfileModel
import LabRuntime

/// Standalone CPython 3.12 and 3.13 (pyenv builds, not embedded) running a planted 75/25 split of two
/// pure-Python functions: the agent (auto unwinding, Python walker on) and py-spy sample the same process
/// over the same window, and each version gets a row: the share of samples carrying Python names and the
/// hot function's share by each tool. The embedded 3.11 worker is the rest of the polyglot scenario.
public struct StandalonePythonComparison: Sendable {
    /// One interpreter's figures.
    public struct Row: Codable, Sendable, Equatable {
        public var version = ""
        public var interpreter = ""
        public var seconds = 0.0
        /// The agent's CPU samples of the process, those with a named Python frame, and the split.
        public var flamelabSamples = 0
        public var flamelabNamed = 0
        public var flamelabHot = 0
        public var flamelabCold = 0
        /// py-spy's samples (folded counts) and its split.
        public var pySpySamples = 0
        public var pySpyHot = 0
        public var pySpyCold = 0
        public var commands: [String] = []
        public var error: String?

        public init() {}

        public var flamelabNamedPercent: Double { 100 * Double(flamelabNamed) / Double(max(1, flamelabSamples)) }
        /// The hot function's share of the two planted functions, in percent (nil without samples).
        public var flamelabHotPercent: Double? { Self.percent(flamelabHot, of: flamelabHot + flamelabCold) }
        public var pySpyHotPercent: Double? { Self.percent(pySpyHot, of: pySpyHot + pySpyCold) }
        /// |flamelab - py-spy| in points, nil unless both measured.
        public var gapPoints: Double? {
            guard let mine = flamelabHotPercent, let theirs = pySpyHotPercent else { return nil }
            return abs(mine - theirs)
        }

        private static func percent(_ part: Int, of whole: Int) -> Double? {
            whole > 0 ? 100 * Double(part) / Double(whole) : nil
        }

        /// Counts the agent's stacks (root first, with their weights): named = any Python frame with a name.
        public mutating func countFlamelab(_ samples: StackSamples) {
            for (stack, weight) in zip(samples.stacks, samples.weights) {
                flamelabSamples += weight
                if stack.contains(where: StackSamples.isNamedPython) { flamelabNamed += weight }
                let names = Set(stack.filter { $0.kind == .python }.map(\.name))
                if names.contains(StandalonePythonComparison.hot) { flamelabHot += weight }
                if names.contains(StandalonePythonComparison.cold) { flamelabCold += weight }
            }
        }

        /// Counts py-spy's `--format raw` output: `frame;frame;... COUNT`, a frame being `name (file:line)`.
        public mutating func countPySpy(_ text: String) {
            for line in text.split(separator: "\n") {
                guard let space = line.lastIndex(of: " "), let count = Int(line[line.index(after: space)...]) else { continue }
                let names = Set(line[..<space].split(separator: ";").map { frame in
                    String(frame.range(of: " (").map { frame[..<$0.lowerBound] } ?? frame)
                })
                pySpySamples += count
                if names.contains(StandalonePythonComparison.hot) { pySpyHot += count }
                if names.contains(StandalonePythonComparison.cold) { pySpyCold += count }
            }
        }
    }

    /// The planted functions: `hot` does three units of work for each unit of `cold`.
    static let hot = "hot"
    static let cold = "cold"
    static let script = """
    import sys, time
    def spin(count):
        total = 0
        for index in range(count):
            total += index * index % 7
        return total
    def hot():
        return spin(6000)
    def cold():
        return spin(2000)
    def main(seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            hot()
            cold()
    print("ready", flush=True)
    main(float(sys.argv[1]))
    """

    /// Minor versions compared, and the rate both samplers use.
    public static let minors = [12, 13]
    public static let hz = 499

    public var seconds: Double
    public var pyenvRoot: String

    public init(seconds: Double, pyenvRoot: String = ProcessInfo.processInfo.environment["PYENV_ROOT"] ?? "/root/.pyenv") {
        self.seconds = seconds
        self.pyenvRoot = pyenvRoot
    }

    /// One row per minor version; a version that is not installed or fails gets a row with its error.
    public func run(workDirectory: String) -> [Row] {
        Self.minors.map { minor in
            var row = Row()
            row.version = "3.\(minor)"
            row.seconds = seconds
            guard let python = Self.newestPython(minor: minor, root: pyenvRoot) else {
                row.error = "failed to find CPython 3.\(minor): no \(pyenvRoot)/versions/3.\(minor).*/bin/python3.\(minor) (pyenv install 3.\(minor))"
                return row
            }
            row.interpreter = python
            do {
                try measure(python: python, row: &row, workDirectory: "\(workDirectory)/python3.\(minor)")
            } catch {
                row.error = "\(error)"
            }
            return row
        }
    }

    /// Starts the script, then the agent and py-spy together on it for `seconds`.
    private func measure(python: String, row: inout Row, workDirectory: String) throws {
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        let script = "\(workDirectory)/planted_split.py"
        try Self.script.write(toFile: script, atomically: true, encoding: .utf8)
        let target = try ChildProcess(python, [script, "\(Int(seconds) + 60)"], output: "\(workDirectory)/script.log")
        defer { target.signal(SIGKILL); _ = target.wait(seconds: 5) }
        Thread.sleep(forTimeInterval: 0.5) // _PyRuntime must exist before the agent registers the process
        let agent = Agent(config: AgentConfig(targets: .pids([target.pid]), hz: Self.hz, kinds: [.cpu], unwind: .auto, python: .auto,
                                              durationSeconds: seconds + 30))
        try agent.start()
        let output = "\(workDirectory)/py-spy.txt"
        // py-spy's default blocking mode, not the peers' --nonblocking: reading a changing frame chain loses
        // leaf frames (measured on 3.12: 11% of samples ended early, bending the split by ~2 points).
        let arguments = PeerTool.pySpy.arguments(pid: target.pid, hz: Self.hz, output: output, seconds: seconds)
            .filter { $0 != "--nonblocking" }
        row.commands = ["lab agent: --pid \(target.pid) --hz \(Self.hz) --unwind auto --python auto (in process)",
                        "py-spy " + arguments.joined(separator: " ")]
        let spy = PeerTool.pySpy.installedPath.flatMap { try? ChildProcess($0, arguments, output: "\(workDirectory)/py-spy.log") }
        Thread.sleep(forTimeInterval: seconds)
        agent.requestStop()
        let recording = agent.finish()
        if let profile = recording.profile(.cpu) { row.countFlamelab(StackSamples(profile: profile)) }
        guard let spy else {
            row.error = "failed to run py-spy (\(PeerTool.pySpy.installHint))"
            return
        }
        if !spy.wait(seconds: 60) { spy.signal(SIGINT); _ = spy.wait(seconds: 10) }
        row.countPySpy((try? PeerProfiler.read(output)) ?? "")
        if row.pySpySamples == 0 { row.error = "py-spy took no samples (exit status \(spy.exitStatus ?? -1))" }
    }

    /// `<root>/versions/3.<minor>.<newest patch>/bin/python3.<minor>`, nil when none is installed.
    static func newestPython(minor: Int, root: String) -> String? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/versions")) ?? []
        let newest = names.filter { $0.hasPrefix("3.\(minor).") }.sorted { $0.compare($1, options: .numeric) == .orderedAscending }.last
        return newest.map { "\(root)/versions/\($0)/bin/python3.\(minor)" }
            .flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil }
    }

    /// The report's section: one table row per version.
    public static func markdown(_ rows: [Row]) -> String {
        var text = "\n## Standalone CPython 3.12 and 3.13 vs py-spy\n\n"
        text += "pyenv interpreters running a planted 75/25 split (`hot` 3 units, `cold` 1 unit of work); the agent (auto, +py) "
        text += "and py-spy sample the same process over the same window at \(hz) Hz.\n\n"
        text += "| version | flamelab samples | named | flamelab hot share | py-spy samples | py-spy hot share | gap |\n|---|---|---|---|---|---|---|\n"
        for row in rows {
            if let error = row.error, row.flamelabSamples == 0 {
                text += "| \(row.version) | — | — | — | — | — | \(error) |\n"
                continue
            }
            let share = { (value: Double?) in value.map { String(format: "%.1f%%", $0) } ?? "—" }
            text += "| \(row.version) | \(row.flamelabSamples) | \(String(format: "%.1f%%", row.flamelabNamedPercent)) | "
            text += "\(share(row.flamelabHotPercent)) | \(row.pySpySamples) | \(share(row.pySpyHotPercent)) | "
            text += (row.gapPoints.map { String(format: "%.1f points", $0) } ?? (row.error ?? "—")) + " |\n"
        }
        for row in rows where !row.commands.isEmpty {
            text += "\n\(row.version): `\(row.interpreter)`; " + row.commands.map { "`\($0)`" }.joined(separator: ", ") + "\n"
        }
        return text
    }
}
