import Agent
import Foundation
import ProfileModel
import Symbolize
import FlamelabTesting
import Testing

extension AgentBPFTests {
    /// The agent on a program nobody here wrote: Debian's sqlite3 CLI running a long recursive query,
    /// sampled by the agent and by `perf record` over the same seconds. Their self-time tables must agree.
    @Suite(.serialized)
    struct ForeignProgramTests {
        static let query = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 60000000) SELECT sum(x*x % 7) FROM c;"
        static let hz = 499

        @Test(.requiresRoot) func sqliteTopSelfFunctionsAgreeWithPerf() throws {
            try TestEnvironment.requireRoot()
            let sqlite = try Self.require("/usr/bin/sqlite3", "apt-get install sqlite3")
            let perf = try Self.require("/usr/bin/perf", "apt-get install linux-perf")
            let target = Process()
            target.executableURL = URL(fileURLWithPath: sqlite)
            target.arguments = [":memory:", Self.query]
            target.standardOutput = FileHandle.nullDevice
            try target.run()
            defer { if target.isRunning { target.terminate() } }
            usleep(300_000)
            let data = FileManager.default.temporaryDirectory.appendingPathComponent("foreign-perf-\(getpid()).data").path
            defer { try? FileManager.default.removeItem(atPath: data) }
            // The agent attaches first; perf's window (`-- sleep 4`) then sets both windows, so they coincide.
            let agent = Agent(config: AgentConfig(targets: .pids([target.processIdentifier]), hz: Self.hz, kinds: [.cpu], unwind: .fp, python: .off, durationSeconds: nil))
            try agent.start()
            agent.waitUntilPrepared()
            let perfRecord = try Self.run(perf, ["record", "-q", "-F", "\(Self.hz)", "-p", "\(target.processIdentifier)", "-o", data, "--", "sleep", "4"], wait: false)
            perfRecord.waitUntilExit()
            agent.requestStop()
            let recording = agent.finish()
            let ours = FunctionStats(profile: try #require(recording.profile(.cpu)))
            let aliases = try SymbolAliases(library: "/usr/lib/x86_64-linux-gnu/libc.so.6")
            let theirs = try Self.perfSelfShares(perf: perf, data: data).map { (name: aliases.canonical($0.name), share: $0.share) }

            let ourTop = ours.top(5).map(\.name), theirTop = theirs.prefix(5).map(\.name)
            print("flamelab top 5: \(ours.top(5).map { "\($0.name) \(String(format: "%.1f%%", $0.selfShare * 100))" })")
            print("perf     top 5: \(theirs.prefix(5).map { "\($0.name) \(String(format: "%.1f%%", $0.share * 100))" })")
            #expect(ours.sampleCount > 500, "\(recording.stats.summary)")
            #expect(ourTop.first == theirTop.first, "hottest function: flamelab \(ourTop.first ?? "-") vs perf \(theirTop.first ?? "-")")
            // Ranks 3-8 sit within a point of each other, so the sets may swap members; shares may not drift
            // by more than 2 points or 4 standard errors of the difference, whichever is larger (the two
            // tools take their samples at different instants of the same window).
            let perfSamples = Double(try Self.perfSampleCount(perf: perf, data: data))
            for name in Set(ourTop + theirTop) {
                let mine = ours[name]?.selfShare ?? 0, perfs = theirs.first { $0.name == name }?.share ?? 0
                let pooled = (mine + perfs) / 2
                let standardError = (pooled * (1 - pooled) * (1 / Double(ours.sampleCount) + 1 / max(perfSamples, 1))).squareRoot()
                let tolerance = max(0.02, 4 * standardError)
                #expect(abs(mine - perfs) <= tolerance, "\(name): flamelab \(mine * 100)% vs perf \(perfs * 100)% self (tolerance \(tolerance * 100) points)")
            }
        }

        /// perf names one address by whichever alias it meets first (`cfree@GLIBC_2.2.5`), the agent by
        /// the preferred one (`free`): both go through the library's own symbol table to one name.
        struct SymbolAliases {
            let table: SymbolTable

            init(library: String) throws {
                table = try ElfImage.load(path: library).codeSymbols
            }

            func canonical(_ name: String) -> String {
                let bare = String(name.split(separator: "@").first ?? Substring(name))
                guard let address = table.address(named: bare), let preferred = table.lookup(address), preferred.offset == 0 else { return bare }
                return preferred.name
            }
        }

        static func require(_ path: String, _ install: String) throws -> String {
            guard FileManager.default.isExecutableFile(atPath: path) else { throw TestProgramError("failed to find \(path): \(install)") }
            return path
        }

        static func run(_ executable: String, _ arguments: [String], wait: Bool = true, output: FileHandle = .nullDevice) throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            if wait { process.waitUntilExit() }
            return process
        }

        /// Samples in the recording, from `perf report`'s header (`# Samples: 1K of event 'cpu-clock'` is
        /// rounded, so it counts `perf script` lines instead: one line per sample without `-g`).
        static func perfSampleCount(perf: String, data: String) throws -> Int {
            let pipe = Pipe()
            let script = try run(perf, ["script", "-i", data, "-F", "tid"], wait: false, output: pipe.fileHandleForWriting)
            try pipe.fileHandleForWriting.close()
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            script.waitUntilExit()
            return text.split(separator: "\n").count
        }

        /// `perf report --sort sym`: `    35.04%  [.] sqlite3VdbeExec` per line, by self share descending.
        static func perfSelfShares(perf: String, data: String) throws -> [(name: String, share: Double)] {
            let pipe = Pipe()
            let report = try run(perf, ["report", "-i", data, "--stdio", "--no-children", "--sort", "sym", "-q"], wait: false, output: pipe.fileHandleForWriting)
            try pipe.fileHandleForWriting.close()
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            report.waitUntilExit()
            return text.split(separator: "\n").compactMap { line in
                let fields = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
                guard fields.count == 3, fields[0].hasSuffix("%"), let percent = Double(fields[0].dropLast()) else { return nil }
                let name = fields[2].trimmingCharacters(in: .whitespaces)
                return (name, percent / 100)
            }
        }
    }
}
