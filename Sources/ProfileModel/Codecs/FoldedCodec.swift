/// Folded stacks, the FlameGraph text format: one `root;...;leaf count` line per stack.
///
/// Decoding tolerates `\r\n` line ends, blank lines and surrounding blanks. There are no comment
/// lines: a frame may start with `#`, so such a line is read as a stack (or rejected), never skipped.
/// Counts are non-negative integers (fractional counts are rejected, not rounded). A
/// differential file has two counts per line, `base cand` (`decodeDifferential`).
///
/// Frame names carry no kind, so the codec annotates and infers it:
/// - kernel frames are written with FlameGraph's `_[k]` suffix, which decoding strips;
/// - Swift async callers (recovered from the async context chain) with `_[async]`, the same way;
/// - Python frames with a file are written `qualname (file:line)`, as py-spy does; decoding
///   turns that form back into a python frame with file and line;
/// - every other name is classified by `FrameClassification.guess`.
/// A `;` inside a name is written as `:` and line breaks as spaces, since both would break the
/// format. Folded stacks aggregate samples: they cannot carry labels (trace ids, span ids,
/// threads, times); use pprof for those. Equal stacks are summed into one line, lines sorted.
public enum FoldedCodec {
    static let format = "folded"
    /// Marks a Swift async caller in folded text (the kind survives a round trip).
    static let asyncSuffix = "_[async]"

    /// Decodes single-count folded text.
    public static func decode(_ text: String, metadata: ProfileMetadata = ProfileMetadata()) throws -> Profile {
        try decode(Array(text.utf8), metadata: metadata)
    }

    /// Decodes single-count folded bytes (UTF-8).
    public static func decode(_ bytes: [UInt8], metadata: ProfileMetadata = ProfileMetadata()) throws -> Profile {
        var builder = FoldedProfileBuilder(metadata: metadata)
        try FoldedLineScanner.scan(bytes, countsPerLine: 1) { lineNumber, frames, counts in
            try builder.add(frames: frames, in: bytes, value: counts[0], sideIndex: 0, lineNumber: lineNumber)
        }
        guard builder.stackLines > 0 else {
            throw ProfileParseError(format: format, location: .input, reason: "no stacks in input (empty input)")
        }
        return builder.profiles[0]
    }

    /// Decodes differential folded text (`stack base cand`) into the two profiles.
    public static func decodeDifferential(_ text: String, metadata: ProfileMetadata = ProfileMetadata()) throws
        -> (base: Profile, candidate: Profile) {
        try decodeDifferential(Array(text.utf8), metadata: metadata)
    }

    /// Decodes differential folded bytes (`stack base cand`) into the two profiles.
    public static func decodeDifferential(_ bytes: [UInt8], metadata: ProfileMetadata = ProfileMetadata()) throws
        -> (base: Profile, candidate: Profile) {
        var builder = FoldedProfileBuilder(metadata: metadata, sides: 2)
        try FoldedLineScanner.scan(bytes, countsPerLine: 2) { lineNumber, frames, counts in
            try builder.add(frames: frames, in: bytes, value: counts[0], sideIndex: 0, lineNumber: lineNumber)
            try builder.add(frames: frames, in: bytes, value: counts[1], sideIndex: 1, lineNumber: lineNumber)
        }
        guard builder.stackLines > 0 else {
            throw ProfileParseError(format: format, location: .input, reason: "no stacks in input (empty input)")
        }
        return (builder.profiles[0], builder.profiles[1])
    }

    /// Encodes `profile` as folded text, one line per distinct stack, sorted.
    public static func encode(_ profile: Profile) -> String {
        let totals = stackLineTotals([profile])
        var out = ""
        for (line, values) in totals where values[0] != 0 {
            out += line + " " + String(values[0]) + "\n"
        }
        return out
    }

    /// Encodes two profiles as differential folded text (`stack base cand`), sorted.
    public static func encodeDifferential(base: Profile, candidate: Profile) -> String {
        var out = ""
        for (line, values) in stackLineTotals([base, candidate]) {
            out += line + " " + String(values[0]) + " " + String(values[1]) + "\n"
        }
        return out
    }

    /// The folded rendering of one frame (see the type's notes on annotations).
    public static func foldedName(of frame: Frame) -> String {
        var name = sanitized(frame.name)
        switch frame.kind {
        case .kernel:
            if !name.hasSuffix("_[k]") { name += "_[k]" }
        case .swiftAsync:
            if !name.hasSuffix(asyncSuffix) { name += asyncSuffix }
        case .python:
            if let file = frame.file, !file.isEmpty {
                name += " (" + sanitized(file) + (frame.line.map { ":\($0)" } ?? "") + ")"
            }
        default:
            break
        }
        return name
    }

    /// The frame a folded name stands for (inverse of `foldedName(of:)`, kinds inferred).
    public static func frame(fromFoldedName name: String) -> Frame {
        if name.hasSuffix("_[k]") {
            return Frame(name: String(name.dropLast(4)), kind: .kernel)
        }
        if name.hasSuffix(asyncSuffix) {
            return Frame(name: String(name.dropLast(asyncSuffix.count)), kind: .swiftAsync)
        }
        if let python = pythonFrame(name) { return python }
        return Frame(name: name, kind: FrameClassification.guess(name: name))
    }

    /// `qualname (path/file.py:123)` or `qualname (path/file.py)`.
    private static func pythonFrame(_ name: String) -> Frame? {
        guard name.hasSuffix(")"), let paren = name.lastIndex(of: "("), paren > name.startIndex else { return nil }
        let blank = name.index(before: paren)
        guard name[blank] == " " else { return nil }
        let inner = name[name.index(after: paren)..<name.index(before: name.endIndex)]
        var file = Substring(inner)
        var line: Int?
        if let colon = inner.lastIndex(of: ":"), let n = Int(inner[inner.index(after: colon)...]) {
            file = inner[..<colon]
            line = n
        }
        guard file.hasSuffix(".py") else { return nil }
        let module = file.split(separator: "/").last.map(String.init) ?? String(file)
        return Frame(name: String(name[..<blank]), module: module, kind: .python, file: String(file), line: line)
    }

    private static func sanitized(_ name: String) -> String {
        guard name.contains(where: { $0 == ";" || $0 == "\n" || $0 == "\r" }) else { return name }
        return String(name.map { $0 == ";" ? ":" : ($0 == "\n" || $0 == "\r") ? " " : $0 })
    }

    /// Sums each profile's values per rendered stack line; sorted by line.
    private static func stackLineTotals(_ profiles: [Profile]) -> [(String, [Int64])] {
        var totals: [String: [Int64]] = [:]
        for (side, profile) in profiles.enumerated() {
            let names = profile.frames.map(foldedName(of:))
            var perStack = [Int64](repeating: 0, count: profile.stacks.count)
            for sample in profile.samples { perStack[sample.stackID] &+= sample.value }
            for (id, value) in perStack.enumerated() where value != 0 {
                // A sample without frames (pprof allows it) still needs a frame to be a folded line.
                let stack = profile.stacks[id]
                let line = stack.isEmpty ? Frame.unknownName : stack.map { names[Int($0)] }.joined(separator: ";")
                totals[line, default: [Int64](repeating: 0, count: profiles.count)][side] &+= value
            }
        }
        return totals.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
