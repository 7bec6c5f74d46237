import ArgumentParser
import FlameGraph
import Foundation
import LabRuntime
import ProfileModel

/// `lab flamegraph`: a profile file to a static SVG or a self-contained interactive HTML flame graph.
struct FlameGraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flamegraph",
        abstract: "Render a profile (folded, pprof, speedscope) as an SVG or self-contained HTML flame graph.",
        discussion: """
        The output format follows -o's extension (.svg or .html). Inputs are recognised by extension \
        (.folded/.collapsed/.txt, .pb.gz/.pb/.pprof, .speedscope.json/.json), else by content. The x-axis is \
        alphabetical, not time: width is the share of samples. Folded and speedscope files carry no sampling \
        rate or kind: give --hz and --kind to state them.

        Examples:
          lab flamegraph results/profiles/v2-cpu.pb.gz -o v2.html
          lab flamegraph stacks.folded -o flame.svg --title "checkout, 99 Hz" --icicle
          lab flamegraph v2-cpu.pb.gz -o drill.html --trace-id 4bf92f3577b34da6a3ce929d0e0e4736
          lab flamegraph results/memory/inuse-later.pb.gz -o leak.html --sample-type objects
        """
    )

    @Argument(help: "The profile file (.folded, .pb.gz, .pb, .speedscope.json).") var input: String
    @Option(name: .shortAndLong, help: "Output file: OUT.svg or OUT.html (written with mode 0600).") var output: String
    @Option(help: "Title (default: kind, service and version).") var title: String?
    @Flag(help: "Draw root at the top (icicle) instead of the bottom.") var icicle = false
    @Option(name: .customLong("trace-id"), help: "Only samples with these trace ids (or prefixes), comma-separated.") var traceID: String?
    @Option(help: "Sampling rate to state for inputs that do not carry it (folded, speedscope).") var hz: Int?
    @Option(help: "Profile kind to state for inputs that do not carry it: cpu, offcpu, alloc or inuse.") var kind: ProfileKind?
    @OptionGroup var sampleType: SampleTypeOption

    func validate() throws {
        guard ProfileOutput.Graph(path: output) != nil else {
            throw ValidationError("-o must end in .svg or .html; got '\(output)'")
        }
        if let hz, hz <= 0 { throw ValidationError("--hz must be positive; got \(hz)") }
    }

    func run() throws {
        var profile = try ProfileFile.read(input)
        if let hz { profile.metadata.hz = hz }
        if let kind { profile.metadata.kind = kind }
        profile = try sampleType.apply(profile, source: input)
        let filter = TraceIDFilter(traceID ?? "")
        if !filter.isEmpty, !profile.samples.contains(where: filter.matches) {
            let traced = profile.samples.contains { $0.labels.traceID != nil }
            let note = traced ? "" : " (this input carries no trace ids; use a pprof file from the agent)"
            FileHandle.standardError.write(Data("lab: no samples carry trace id \(filter.text)\(note); writing an empty flame graph\n".utf8))
        }
        print(try ProfileOutput.write(profile, to: output, title: title, traceFilter: filter, icicle: icicle))
    }
}
