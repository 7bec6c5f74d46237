import ArgumentParser
import Foundation
import LabRuntime
import ProfileModel
import ProfileStore

/// `lab profiles`: what the profile store holds, and exporting a (trace-filtered) profile from it.
struct ProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "List stored profile runs, their trace ids, and export profiles from the store.",
        discussion: """
        Examples:
          lab profiles ls
          lab profiles traces --run 3
          lab profiles export --run 3 --trace-id 4bf92f3577b34da6a3ce929d0e0e4736 -o slow.folded
          lab profiles export --service shop --version v2 --kind cpu -o v2.pb.gz
          lab profiles bench --samples 1000000
        """,
        subcommands: [List.self, Traces.self, Export.self, Bench.self]
    )

    /// The store file shared by the profile subcommands (git-ignored: profiles are private).
    static var defaultStorePath: String { ContinuousAgentConfig.defaultStorePath }

    struct StoreOption: ParsableArguments {
        @Option(name: .customLong("store"), help: "Profile store file (default: results/runs/profiles.sqlite).")
        var path: String?

        func open() throws -> ProfileStore {
            try ProfileStore(existing: path ?? ProfilesCommand.defaultStorePath)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls",
            abstract: "List stored runs: service, version, kind, rate, unwind mode, samples, drops.",
            discussion: "Example:\n  lab profiles ls --service shop --kind offcpu"
        )
        @OptionGroup var store: StoreOption
        @Option(help: "Only runs of this service.") var service: String?
        @Option(help: "Only runs of this version.") var version: String?
        @Option(help: "Only runs of this kind: cpu, offcpu or faults.") var kind: ProfileKind?

        func run() throws {
            let runs = try store.open().runs(filter: RunFilter(service: service, version: version, kind: kind))
            guard !runs.isEmpty else {
                print("no runs stored")
                return
            }
            let header = ["ID", "SERVICE", "VERSION", "PID", "KIND", "HZ", "UNWIND", "START (UTC)", "SECONDS", "SAMPLES", "VALUE", "DROPS", "UNREADABLE", "HOST", "COMMAND"]
            print(TextTable.render(header: header, rows: runs.map(ProfilesCommand.row)))
        }
    }

    struct Traces: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the trace ids seen in a run's samples.",
            discussion: "Example:\n  lab profiles traces --run 3"
        )
        @OptionGroup var store: StoreOption
        @Option(name: .customLong("run"), help: "Run id (see `lab profiles ls`).") var runID: Int64

        func run() throws {
            let ids = try store.open().traceIDs(run: RunID(runID))
            print(ids.isEmpty ? "run \(runID) has no traced samples" : ids.map(\.hex).joined(separator: "\n"))
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export the samples of stored runs, optionally only some trace ids, as one profile.",
            discussion: """
            The format follows the output's extension: .folded, .pb.gz (pprof), .speedscope.json.
            Example:
              lab profiles export --run 3 --trace-id 4bf92f3577b34da6a3ce929d0e0e4736 -o slow.speedscope.json
            """
        )
        @OptionGroup var store: StoreOption
        @Option(name: .customLong("run"), help: "Run id; repeat to merge several runs (default: all runs matching the other options).")
        var runIDs: [Int64] = []
        @Option(name: .customLong("trace-id"), help: "Only samples of this trace id (32 hex digits); repeatable.")
        var traceIDs: [TraceID] = []
        @Option(help: "Only runs of this kind: cpu, offcpu or faults (default without --run: cpu).") var kind: ProfileKind?
        @Option(help: "Only runs of this service.") var service: String?
        @Option(help: "Only runs of this version.") var version: String?
        @Option(name: .shortAndLong, help: "Output file: .folded, .pb.gz or .speedscope.json.") var output: String

        func validate() throws {
            guard ProfileFormat(fileName: output) != nil else {
                throw ValidationError("-o must end in one of \(ProfileFormat.knownExtensions); got '\(output)'")
            }
            guard !runIDs.isEmpty || service != nil || version != nil || kind != nil || !traceIDs.isEmpty else {
                throw ValidationError("say what to export: --run, --service, --version, --kind or --trace-id")
            }
        }

        func run() throws {
            let query = ProfileQuery(
                runs: RunFilter(ids: runIDs.isEmpty ? nil : runIDs.map(RunID.init), service: service, version: version,
                               kind: kind ?? (runIDs.isEmpty ? .cpu : nil)),
                traceIDs: traceIDs.isEmpty ? nil : traceIDs)
            let profile = try store.open().profile(query: query)
            guard !profile.samples.isEmpty else {
                throw FlamelabError.failed("export", "profile to \(output)", "no stored samples match", code: .input)
            }
            try ProfileFile.write(profile, to: output)
            print("wrote \(output): \(profile.samples.count) samples (total \(profile.totalValue) \(profile.metadata.valueUnit)), \(profile.stacks.count) stacks")
        }
    }

    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure the store: bytes per sample, write rate, trace-filtered and time-range query times.",
            discussion: """
            With --store: measures a store `lab agent` wrote (real samples): bytes per sample, a trace-filtered CPU
            flame graph over its last hour (the newest windows' trace ids, or --trace-id), an unfiltered one of its
            last 15 minutes. Without: writes a synthetic run (~30-frame stacks from a few thousand distinct stacks,
            trace ids on half the samples) into a scratch store, queries it, and removes it.
            Examples:
              lab profiles bench --store results/runs/profiles.sqlite
              lab profiles bench --store results/runs/profiles.sqlite --hour-scale   # at the query goals' size
              lab profiles bench --samples 1000000 -o results/runs/store-bench.json
            """
        )
        @Option(help: "Samples in the synthetic run (1 hour at 99 Hz on 2 CPUs is ~713,000).") var samples: Int = 1_000_000
        @Option(help: "Trace ids in the trace-filtered query.") var traceIDs: Int = 20
        @Option(help: "Repetitions of the trace-filtered query.") var repetitions: Int = 7
        @Option(help: "Directory for the scratch store (default: results/runs).") var directory: String?
        @Option(name: .customLong("store"), help: "Measure this store instead of a synthetic run.") var storePath: String?
        @Option(name: .customLong("trace-id"), help: "With --store: trace ids for the filtered query (repeatable; default: the newest windows').")
        var traceIDList: [TraceID] = []
        @Flag(name: .customLong("hour-scale"), help: "With --store: measure a scratch copy grown to ~700k CPU samples in its last hour (its windows repeated back in time).")
        var hourScale = false
        @Option(name: .shortAndLong, help: "Also write the figures as JSON here.") var output: String?

        func validate() throws {
            if hourScale, storePath == nil { throw ValidationError("--hour-scale grows a copy of --store; give --store") }
            guard samples > 0, traceIDs > 0, repetitions > 0 else {
                throw ValidationError("--samples, --trace-ids and --repetitions must be positive")
            }
        }

        func run() throws {
            if let storePath { return try measureStore(storePath) }
            let directory = directory ?? LabPaths().resultsDirectory + "/runs"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            let result = try ProfileStoreBenchmark.run(samples: samples, directory: directory, traceIDCount: traceIDs,
                                                       repetitions: repetitions)
            print(result.summary)
            if let output {
                try PrivateFile.writeJSON(result, to: output)
                print("wrote \(output)")
            }
        }

        /// Real samples: the figures of a store `lab agent` wrote.
        private func measureStore(_ path: String) throws {
            try ProfileStore.requireExisting(path)
            let ids = traceIDList.isEmpty ? try StoreFigures.recentTraceIDs(storePath: path, count: traceIDs) : traceIDList
            var measured = path
            let scratch = (directory ?? LabPaths().resultsDirectory + "/runs") + "/hour-scale-\(getpid())"
            if hourScale {
                try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                measured = scratch + "/profiles.sqlite"
                let copies = try HourScaleStore.build(from: path, into: measured)
                print("grew a copy of \(path) to an hour: its windows written \(copies) times")
            }
            defer { if hourScale { try? FileManager.default.removeItem(atPath: scratch) } }
            let figures = try StoreFigures.measure(storePath: measured, traceIDs: ids, repetitions: repetitions)
            print(figures.summary)
            if let output {
                try PrivateFile.writeJSON(figures, to: output)
                print("wrote \(output)")
            }
        }
    }

    static func row(_ run: StoredRun) -> [String] {
        let start = run.startUnixNs == 0 ? "-" : isoTime(run.startUnixNs)
        let seconds = run.endUnixNs > run.startUnixNs ? String(format: "%.1f", Double(run.endUnixNs - run.startUnixNs) / 1e9) : "-"
        return [run.id.description, run.service ?? "-", run.version ?? "-", run.pid.map(String.init) ?? "-", run.kind.rawValue, String(run.hz),
                run.unwindMode?.rawValue ?? "unknown", start, seconds, String(run.sampleCount), String(run.totalValue), String(run.dropped),
                String(run.unreadable), run.host, run.command.isEmpty ? "-" : run.command]
    }

    private static func isoTime(_ unixNs: UInt64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(unixNs) / 1e9))
    }
}
