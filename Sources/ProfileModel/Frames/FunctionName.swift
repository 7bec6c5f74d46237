/// Short forms of demangled Swift and C++ function names, for people: flame-graph boxes, report
/// tables, PR comments. Pure string work (the demangling itself is Symbolize's); the full name stays
/// a frame's identity, so two specialised copies of one function remain two frames.
public enum FunctionName {
    /// The name to show for a frame of `kind`: native code through `display`; Python qualnames, kernel
    /// symbols and placeholders (`[unknown]`) as they are.
    public static func display(_ name: String, kind: FrameKind) -> String {
        switch kind {
        case .python, .kernel, .unknown: return name
        case .app, .swiftAsync, .swiftRuntime, .libc, .interpreter, .native: return display(name)
        }
    }

    /// Shortens a demangled name for display: drops parameter lists, result types, generic
    /// arguments and effects at the outer level, keeps `closure #n in` contexts.
    /// `Deep.a(Swift.Double) -> Swift.UInt64` -> `Deep.a`;
    /// `closure #1 (Swift.Int) -> () in Deep.b()` -> `closure #1 in Deep.b`.
    public static func simplify(_ demangled: String) -> String {
        let characters = Array(demangled)
        var output = ""
        var depth = 0
        var skippingResultType = false
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if depth == 0, skippingResultType {
                guard matches(characters, at: index, " in ") else {
                    index += 1
                    continue
                }
                skippingResultType = false
            }
            // `->` is one token: its `>` must not close a generic bracket.
            if character == "-", index + 1 < characters.count, characters[index + 1] == ">" {
                if depth == 0 { skippingResultType = true }
                index += 2
                continue
            }
            // C++ `operator()` is a name, not a parameter list.
            if depth == 0, output.hasSuffix("operator"), matches(characters, at: index, "()") {
                output += "()"
                index += 2
                continue
            }
            switch character {
            case "(" where depth == 0 && (index == 0 || characters[index - 1] == ":"):
                output.append(character)   // `(extension in Module):Type.method` keeps its qualifier
                depth = -1
            case ")" where depth == -1:
                output.append(character)
                depth = 0
            case "(", "<", "[":
                if depth >= 0 { depth += 1 } else { output.append(character) }
            case ")", ">", "]":
                if depth > 0 { depth -= 1 } else { output.append(character) }
            default:
                if depth <= 0 { output.append(character) }
            }
            index += 1
        }
        // Unbalanced brackets (operators such as `<` or `==`): keep the full name rather than mangle it.
        guard depth == 0 else { return demangled }
        return collapseSpaces(removingEffects(from: output))
    }

    /// The name a report quotes: `simplify`, then without the optimizer's copy markers and `static `
    /// (`function signature specialization <Arg[1] = Dead> of static Shop.Pricing.apply(...)` ->
    /// `Shop.Pricing.apply`). Profiles keep the full names: two copies stay two frames there.
    /// Placeholders (`[unknown]`) and names that would shorten to nothing (`<module>`) stay as they are.
    public static func display(_ demangled: String) -> String {
        guard !demangled.hasPrefix("[") else { return demangled }
        var name = simplify(demangled)
        let prefixes = ["function signature specialization of ", "generic specialization of ", "merged ", "static "]
        while let prefix = prefixes.first(where: name.hasPrefix) {
            name.removeFirst(prefix.count)
        }
        return name.isEmpty ? demangled : name
    }

    private static func matches(_ characters: [Character], at index: Int, _ pattern: String) -> Bool {
        let pattern = Array(pattern)
        guard index + pattern.count <= characters.count else { return false }
        return Array(characters[index..<(index + pattern.count)]) == pattern
    }

    private static func removingEffects(from name: String) -> String {
        var result = name
        for effect in [" async", " throws", " rethrows", " sending"] {
            result = result.replacingOccurrences(of: effect + " ", with: " ")
            if result.hasSuffix(effect) { result.removeLast(effect.count) }
        }
        return result
    }

    private static func collapseSpaces(_ name: String) -> String {
        name.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}
