import FlameGraph
import Foundation
import ProfileModel

/// Where a profile goes on the command line: a flame graph (`.html`, `.svg`) or a profile file in any
/// interchange format (`ProfileFormat`), chosen by the name. One place for `lab flamegraph`,
/// `lab query` and the pages' downloads.
public enum ProfileOutput {
    /// The graph formats, besides the profile files.
    public enum Graph: String, Sendable {
        case svg, html

        public init?(path: String) {
            let lower = path.lowercased()
            if lower.hasSuffix(".svg") { self = .svg } else if lower.hasSuffix(".html") || lower.hasSuffix(".htm") { self = .html } else { return nil }
        }
    }

    /// Whether `path` names something this can write.
    public static func accepts(_ path: String) -> Bool {
        Graph(path: path) != nil || ProfileFormat(fileName: path) != nil
    }

    /// What `path` may end in, for messages.
    public static var knownEndings: String { ".html, .svg, " + ProfileFormat.knownExtensions }

    /// Writes `profile` to `path` (0600); a graph honours `traceFilter`, `title` and `icicle`.
    /// Returns a one-line summary of what was written.
    @discardableResult
    public static func write(_ profile: Profile, to path: String, title: String? = nil, traceFilter: TraceIDFilter = TraceIDFilter(""),
                             icicle: Bool = false) throws -> String {
        guard let graph = Graph(path: path) else {
            try ProfileFile.write(profile, to: path)
            return "wrote \(path): \(profile.samples.count) samples (total \(NumberFormat.value(profile.totalValue, unit: profile.metadata.valueUnit))), \(profile.stacks.count) stacks"
        }
        let orientation: FlameOrientation = icicle ? .icicle : .flame
        let tree = FlameTree(profile: profile, include: traceFilter.matches)
        let text: String
        switch graph {
        case .svg:
            var caption = ProfileCaption(profile: profile, title: title)
            if !traceFilter.isEmpty { caption.subtitle += " · trace filter: \(traceFilter.text)" }
            text = SVGRenderer(style: SVGStyle(orientation: orientation)).render(tree: tree, caption: caption, unit: profile.metadata.valueUnit)
        case .html:
            text = HTMLRenderer(orientation: orientation).render(profile: profile, title: title, traceFilter: traceFilter)
        }
        try PrivateFile.write(text, to: path)
        return "wrote \(path): \(NumberFormat.value(tree.totalValue, unit: profile.metadata.valueUnit)), \(tree.nodes.count) frames"
    }
}
