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
            let profile = try #require(recording.profile(.cpu))
            let aliases = try SymbolAliases(library: "/usr/lib/x86_64-linux-gnu/libc.so.6")
            let ours = FunctionStats(profile: aliases.canonical(profile))
            let theirs = try Self.perfSelfShares(perf: perf, data: data).map { (name: aliases.canonical($0.name), share: $0.share) }

            let ourTop = ours.top(5).map(\.name), theirTop = theirs.prefix(5).map(\.name)
            print("flamelab top 5: \(ours.top(5).map { "\($0.name) \(String(format: "%.1f%%", $0.selfShare * 100))" })")
            print("perf     top 5: \(theirs.prefix(5).map { "\($0.name) \(String(format: "%.1f%%", $0.share * 100))" })")
            #expect(ours.sampleCount > 500, "\(recording.stats.summary)")
            #expect(ourTop.first == theirTop.first, "hottest function: flamelab \(ourTop.first ?? "-") vs perf \(theirTop.first ?? "-")")
            // Ranks 3-8 sit within a point of each other, so the sets may swap members; shares may not drift
            // by more than 2 points or 4 standard errors of the difference, whichever is larger (the two
            // tools take their samples at different instants of the same window). The standard error is
            // widened by each function's measured variance ratio (batch means over 40 blocks of our
            // samples): neighbouring samples of one query loop are correlated, which binomial errors miss.
            let perfSamples = Double(try Self.perfSampleCount(perf: perf, data: data))
            let dispersion = SampleDispersion.ratios(of: profile, blocks: max(2, min(40, SampleDispersion.maximumBlocks(of: profile))))
            for name in Set(ourTop + theirTop) {
                let mine = ours[name]?.selfShare ?? 0, perfs = theirs.first { $0.name == name }?.share ?? 0
                let pooled = (mine + perfs) / 2
                let inflation = max(1, dispersion[name] ?? 1)
                let standardError = (inflation * pooled * (1 - pooled) * (1 / Double(ours.sampleCount) + 1 / max(perfSamples, 1))).squareRoot()
                let tolerance = max(0.02, 4 * standardError)
                #expect(abs(mine - perfs) <= tolerance, "\(name): flamelab \(mine * 100)% vs perf \(perfs * 100)% self (tolerance \(tolerance * 100) points)")
            }
        }

        /// One glibc address has several names (`memmove`'s and `memcpy`'s variants, `free` and
        /// `cfree@GLIBC_2.2.5`, `pthread_mutex_lock@@GLIBC_2.2.5`): perf prints whichever alias it meets
        /// first, the agent its table's preferred one. Both sides go through every alias of the library
        /// to the one preferred name per address.
        struct SymbolAliases {
            let table: SymbolTable
            let addresses: [String: UInt64]

            init(library: String) throws {
                // As the agent reads it: with the detached debug symbols (libc6-dbg), which name the
                // static variants such as `__memmove_avx512_unaligned_erms`.
                let image = try ElfImage.loadWithDebugSymbols(path: library)
                table = image.codeSymbols
                var addresses: [String: UInt64] = [:]
                for path in [library] + (image.debugFilePath.map { [$0] } ?? []) {
                    for symbol in try ElfImage.functionSymbols(path: path) {
                        addresses[String(symbol.name.split(separator: "@").first ?? Substring(symbol.name)), default: symbol.value] = symbol.value
                    }
                }
                self.addresses = addresses
            }

            func canonical(_ name: String) -> String {
                let bare = String(name.split(separator: "@").first ?? Substring(name))
                // The name the agent gives the address where perf's symbol starts (one symbol may start
                // inside another's range: `__memmove_*_erms` inside `__memcpy_*_erms`).
                guard let address = addresses[bare] ?? table.address(named: bare), let preferred = table.lookup(address) else { return bare }
                return String(preferred.name.split(separator: "@").first ?? Substring(preferred.name))
            }

            /// `profile` with every frame renamed to its canonical name.
            func canonical(_ profile: Profile) -> Profile {
                var renamed = Profile(metadata: profile.metadata)
                for sample in profile.samples {
                    let frames = profile.frames(ofStack: sample.stackID).map { Frame(name: canonical($0.name), module: $0.module, kind: $0.kind) }
                    renamed.add(stack: frames, value: sample.value, labels: sample.labels)
                }
                return renamed
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
