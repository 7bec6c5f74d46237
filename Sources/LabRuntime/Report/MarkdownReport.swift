/// A report.md being written: every report states machine, date, settings, sample counts and the
/// command that reproduces it, so the header is built in.
public struct MarkdownReport: Sendable {
    public private(set) var text = ""

    public init(title: String, machine: MachineInfo, command: String, settings: [(String, String)]) {
        text = "# \(title)\n\n"
        text += "- Machine: \(machine.summaryLine)\n"
        text += "- Reproduce: `\(command)`\n"
        for (name, value) in settings { text += "- \(name): \(value)\n" }
        text += "\n"
    }

    public mutating func heading(_ title: String) {
        text += "## \(title)\n\n"
    }

    public mutating func paragraph(_ body: String) {
        text += body + "\n\n"
    }

    /// A fenced code block (`language` names its highlighting, e.g. promql).
    public mutating func code(_ body: String, language: String = "") {
        text += "```\(language)\n" + body.trimmingCharacters(in: .newlines) + "\n```\n\n"
    }

    public mutating func bullets(_ items: [String]) {
        text += items.map { "- \($0)" }.joined(separator: "\n") + "\n\n"
    }

    public mutating func table(header: [String], rows: [[String]]) {
        text += "| " + header.joined(separator: " | ") + " |\n"
        text += "|" + header.map { _ in "---" }.joined(separator: "|") + "|\n"
        for row in rows { text += "| " + row.joined(separator: " | ") + " |\n" }
        text += "\n"
    }

    public mutating func image(_ alt: String, path: String) {
        text += "![\(alt)](\(path))\n\n"
    }

    public mutating func link(_ label: String, path: String) {
        text += "- [\(label)](\(path))\n"
    }
}
