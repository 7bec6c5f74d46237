import Testing
@testable import Symbolize

@Suite("Symbol names")
struct SymbolNamesTests {
    @Test("Swift names are demangled by the runtime")
    func swiftDemangling() {
        #expect(SymbolNames.demangle("$s4Deep1ays6UInt64VSdF") == "Deep.a(Swift.Double) -> Swift.UInt64")
        #expect(SymbolNames.demangle("$s4Deep1ays6UInt64VSdF", style: .simplified) == "Deep.a")
    }

    @Test("C++ names are demangled by __cxa_demangle, C names are kept")
    func cxxAndC() {
        #expect(SymbolNames.demangle("_ZNSt6vectorIiSaIiEE9push_backERKi") == "std::vector<int, std::allocator<int> >::push_back(int const&)")
        #expect(SymbolNames.demangle("_ZNSt6vectorIiSaIiEE9push_backERKi", style: .simplified) == "std::vector::push_back")
        #expect(SymbolNames.demangle("getpid") == "getpid")
        #expect(SymbolNames.demangle("_Znot_really") == "_Znot_really")
        #expect(SymbolNames.demangle("$sgarbage") == "$sgarbage")
    }
}
