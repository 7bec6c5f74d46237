import ArgumentParser
import Foundation
import LabRuntime
import ProfileModel
import ProfileStore

/// `lab query`: a flame graph or profile file of any selection of the profile store.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Select samples of the profile store by time, labels and trace ids; write a flame graph or profile file.",
        discussion: """
        The output follows -o's ending: .html or .svg (flame graph), .folded, .pb.gz (pprof), .speedscope.json.
        An empty selection writes an empty result and says so (exit 0); a range that ends before it starts is an error.

        Examples:
          lab query --last 15m --service flamelab-shop --version v2 -o v2.html
          lab query --last 1h --trace-id 4bf92f3577b34da6a3ce929d0e0e4736 --kind offcpu -o trace.pb.gz
          lab query --from 2026-12-01T21:00:00Z --to 2026-12-01T21:10:00Z --pid 4242 -o window.folded
          lab query --last 5m --kind inuse --service flamelab-shop -o heap.html     (in use at the latest snapshot)
          lab query --last 5m --kind alloc --sample-type objects -o allocations.svg
        """
    )

    @OptionGroup var range: StoreRange
    @Option(help: "Only this service.") var service: String?
    @Option(help: "Only this version.") var version: String?
    @Option(help: "cpu, offcpu, faults, alloc (allocated over the range) or inuse (live at the range's latest snapshot).") var kind = ProfileKind.cpu
    @Option(name: .customLong("trace-id"), help: "Only samples of this trace id (repeatable).") var traceIDs: [TraceID] = []
    @Option(help: "Only this process.") var pid: Int32?
    @Option(help: "Title of a flame graph.") var title: String?
    @Option(name: .shortAndLong, help: "Output: .html, .svg, .folded, .pb.gz, .speedscope.json (mode 0600).") var output: String
    @OptionGroup var sampleType: SampleTypeOption

    func validate() throws {
        guard ProfileOutput.accepts(output) else { throw ValidationError("-o must end in one of \(ProfileOutput.knownEndings); got '\(output)'") }
        if sampleType.text != nil, !kind.isMemory {
            throw ValidationError("--sample-type applies to --kind alloc or inuse, not \(kind.rawValue)")
        }
    }

    func run() throws {
        let selection = range.applied(to: StoreSelection(service: service, version: version, kind: kind, traceIDs: traceIDs, pid: pid))
        let start = Date()
        let profile = try sampleType.apply(try range.open().profile(query: try selection.query()), source: "the store")
        let seconds = Date().timeIntervalSince(start)
        if profile.samples.isEmpty {
            FileHandle.standardError.write(Data("lab: no stored sample matches (\(selection.summary)); writing an empty result\n".utf8))
        }
        print(try ProfileOutput.write(profile, to: output, title: title ?? "\(selection.summary)"))
        print(String(format: "query: %d samples in %.0f ms", profile.samples.count, seconds * 1000))
    }
}
