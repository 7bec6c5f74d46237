import CElfDwarf
import Foundation
import ProfileModel
#if canImport(Glibc)
import Glibc
#endif

/// Turns linker symbol names into the names people read: Swift through the runtime's
/// `swift_demangle`, C++ through `__cxa_demangle`, C as is.
public enum SymbolNames {
    /// How much of a demangled Swift name a frame keeps.
    public enum Style: Sendable {
        /// The whole demangled name, e.g. `Deep.a(Swift.Double) -> Swift.UInt64`: unique across overloads.
        case full
        /// The short form flame graphs want, e.g. `Deep.a` (see `FunctionName.simplify`).
        case simplified
    }

    /// The readable form of `symbol` in `style`; `symbol` itself when it is not mangled.
    public static func demangle(_ symbol: String, style: Style = .full) -> String {
        if let swift = callDemangler(celf_swift_demangle, symbol) {
            return style == .full ? swift : FunctionName.simplify(swift)
        }
        if let cxx = callDemangler(celf_cxx_demangle, symbol) {
            return style == .full ? cxx : FunctionName.simplify(cxx)
        }
        return symbol
    }

    private static func callDemangler(_ demangler: (UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>?,
                                      _ symbol: String) -> String? {
        guard let result = symbol.withCString({ demangler($0) }) else { return nil }
        defer { free(result) }
        return String(cString: result)
    }
}
