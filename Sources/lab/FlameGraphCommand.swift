import ArgumentParser
import FlameGraph
import Foundation
import Lab
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
        """
    )

    @Argument(help: "The profile file (.folded, .pb.gz, .pb, .speedscope.json).") var input: String
    @Option(name: .shortAndLong, help: "Output file: OUT.svg or OUT.html (written with mode 0600).") var output: String
    @Option(help: "Title (default: kind, service and version).") var title: String?
    @Flag(help: "Draw root at the top (icicle) instead of the bottom.") var icicle = false
    @Option(name: .customLong("trace-id"), help: "Only samples with these trace ids (or prefixes), comma-separated.") var traceID: String?
    @Option(help: "Sampling rate to state for inputs that do not carry it (folded, speedscope).") var hz: Int?
    @Option(help: "Profile kind to state for inputs that do not carry it: cpu or offcpu.") var kind: String?

    func validate() throws {
        guard OutputFormat(path: output) != nil else {
            throw ValidationError("-o must end in .svg or .html; got '\(output)'")
        }
        if let kind, ProfileKind(rawValue: kind) == nil {
            throw ValidationError("--kind must be cpu or offcpu; got '\(kind)'")
        }
        if let hz, hz <= 0 { throw ValidationError("--hz must be positive; got \(hz)") }
    }

    func run() throws {
        var profile = try CLI.orExit { try ProfileInput.read(input) }
        if let hz { profile.metadata.hz = hz }
        if let kind, let parsed = ProfileKind(rawValue: kind) { profile.metadata.kind = parsed }
        let filter = TraceIDFilter(traceID ?? "")
        let orientation: FlameOrientation = icicle ? .icicle : .flame
        let tree = FlameTree(profile: profile, include: filter.matches)
        if !filter.isEmpty {
            let traced = profile.samples.contains { $0.labels.traceID != nil }
            let note = traced ? "" : " (this input carries no trace ids; use a pprof file from the agent)"
            if tree.totalValue == 0 {
                FileHandle.standardError.write(Data("lab: no samples carry trace id \(filter.text)\(note); writing an empty flame graph\n".utf8))
            }
        }
        let text: String
        switch OutputFormat(path: output)! {
        case .svg:
            var caption = ProfileCaption(profile: profile, title: title)
            if !filter.isEmpty { caption.subtitle += " · trace filter: \(filter.text)" }
            text = SVGRenderer(style: SVGStyle(orientation: orientation)).render(tree: tree, caption: caption, kind: profile.metadata.kind)
        case .html:
            text = HTMLRenderer(orientation: orientation).render(profile: profile, title: title, traceFilter: filter)
        }
        try CLI.orExit { try PrivateFile.write(text, to: output) }
        print("wrote \(output): \(NumberFormat.value(tree.totalValue, kind: profile.metadata.kind)), \(tree.nodes.count) frames")
    }
}

/// The renderers' output formats, chosen by the output file's extension.
enum OutputFormat {
    case svg, html

    init?(path: String) {
        let lower = path.lowercased()
        if lower.hasSuffix(".svg") { self = .svg } else if lower.hasSuffix(".html") || lower.hasSuffix(".htm") { self = .html } else { return nil }
    }
}

/// Reads a profile file in any format flamelab's codecs understand: by extension, then by content.
enum ProfileInput {
    static func read(_ path: String) throws -> Profile {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw LabError("failed to read profile \(path): \(reason(error, path: path))")
        }
        let bytes = [UInt8](data)
        do {
            switch format(path: path, bytes: bytes) {
            case .pprof: return try PprofCodec.decode(bytes)
            case .speedscope: return try SpeedscopeCodec.decode(bytes)
            case .folded: return try FoldedCodec.decode(bytes)
            }
        } catch let error as ProfileParseError {
            var location = ""
            switch error.location {
            case .line(let n): location = "line \(n): "
            case .field(let f): location = "field \(f): "
            case .input: break
            }
            throw LabError("failed to read profile \(path): \(error.format): \(location)\(error.reason)")
        } catch {
            throw LabError("failed to read profile \(path): \(error)")
        }
    }

    enum Format { case folded, pprof, speedscope }

    static func format(path: String, bytes: [UInt8]) -> Format {
        let lower = path.lowercased()
        if lower.hasSuffix(".pb.gz") || lower.hasSuffix(".pb") || lower.hasSuffix(".pprof") || lower.hasSuffix(".pprof.gz") { return .pprof }
        if lower.hasSuffix(".json") { return .speedscope }
        if lower.hasSuffix(".folded") || lower.hasSuffix(".collapsed") || lower.hasSuffix(".txt") { return .folded }
        if Gzip.isGzipped(bytes) { return .pprof }
        if let first = bytes.first(where: { !($0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09) }), first == UInt8(ascii: "{") {
            return .speedscope
        }
        return .folded
    }

    /// A short reason for a failed read: the usual causes by name, else Foundation's text.
    private static func reason(_ error: Error, path: String) -> String {
        var isDirectory: ObjCBool = false
        let fm = FileManager.default
        if !fm.fileExists(atPath: path, isDirectory: &isDirectory) { return "no such file" }
        if isDirectory.boolValue { return "is a directory" }
        if !fm.isReadableFile(atPath: path) { return "permission denied" }
        return error.localizedDescription
    }
}
