import Foundation
import ProfileModel
import Symbolize
import LabRuntime

/// One frame line of `perf script` or bpftrace's `ustack(perf)`/`kstack(perf)` output, turned into a
/// `Frame` classified by the same `FrameClassifier` rules the agent uses.
///
/// Both tools print `ADDRESS SYMBOL (MODULE)`; bpftrace adds `+OFFSET` to the symbol, perf (with
/// `-F ip,sym,dso`) does not. An unresolved address is `[unknown]` (perf) or `0x…` (bpftrace); the
/// module is `[unknown]` when the address is in no mapping (a garbage frame-pointer return address).
/// The kernel is `[kernel.kallsyms]`. Peers' names are not demangled: a mangled Swift name still
/// counts as named, and `$ss…`-style names in the executable count as Swift runtime, as for the agent.
public enum PeerFrameLine {
    /// The frame on `line`, or nil when the line holds no frame. `executablePath` is the service's
    /// binary, so its frames are app frames.
    public static func frame(_ line: String, executablePath: String) -> Frame? {
        let text = line.trimmingCharacters(in: .whitespaces)
        guard let space = text.firstIndex(of: " "), text[..<space].allSatisfy(\.isHexDigit) else { return nil }
        let rest = text[text.index(after: space)...]
        guard rest.hasSuffix(")"), let open = rest.range(of: " (", options: .backwards) else { return nil }
        let module = String(rest[open.upperBound..<rest.index(before: rest.endIndex)])
        let symbol = stripOffset(String(rest[..<open.lowerBound]))
        return classify(symbol: symbol, module: module, executablePath: executablePath)
    }

    /// Applies the agent's classification: kernel by module, then `FrameClassifier` by file and symbol.
    static func classify(symbol: String, module: String, executablePath: String) -> Frame {
        let named = Frame(name: symbol).isNamed || Frame.isAddressName(symbol)
        let name = named ? symbol : Frame.unknownName
        if module.hasPrefix("[kernel") || module == "[kernel.kallsyms]" {
            return Frame(name: name, module: "kernel", kind: .kernel)
        }
        if module == Frame.unknownName || module.isEmpty {
            return Frame(name: name, module: "", kind: .unknown)
        }
        let moduleKind = FrameClassifier.kind(ofModule: module, executablePath: executablePath)
        let kind = named ? FrameClassifier.kind(moduleKind: moduleKind, symbol: symbol) : moduleKind
        return Frame(name: name, module: FrameClassifier.basename(module), kind: kind)
    }

    /// `foo+123` -> `foo` (bpftrace's decimal offset); other names unchanged.
    static func stripOffset(_ symbol: String) -> String {
        guard let plus = symbol.lastIndex(of: "+") else { return symbol }
        let digits = symbol[symbol.index(after: plus)...]
        guard !digits.isEmpty, digits.allSatisfy(\.isNumber) else { return symbol }
        return String(symbol[..<plus])
    }
}
