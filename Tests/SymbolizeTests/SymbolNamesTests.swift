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

    @Test("simplified names keep closure contexts and drop signatures and effects")
    func simplification() {
        let cases: [(String, String)] = [
            ("closure #1 (Swift.Int) -> () in Deep.b(Swift.Int) -> ()", "closure #1 in Deep.b"),
            ("Shop.Service.handle(request: Shop.Request) async throws -> Shop.Response", "Shop.Service.handle"),
            ("generic specialization <Swift.Int> of Deep.f<A>(A) -> A", "generic specialization of Deep.f"),
            ("(extension in Shop):Swift.Array.total() -> Swift.Int", "(extension in Shop):Swift.Array.total"),
            ("plain_c_function", "plain_c_function"),
            ("Deep.f(_: (Swift.Int) -> Swift.Int) -> ()", "Deep.f"),
            ("static Swift.Int.< infix(Swift.Int, Swift.Int) -> Swift.Bool", "static Swift.Int.< infix(Swift.Int, Swift.Int) -> Swift.Bool"),
            ("std::function<void ()>::operator()() const", "std::function::operator() const"),
        ]
        for (input, expected) in cases {
            #expect(SymbolNames.simplify(input) == expected, "\(input)")
        }
    }

    @Test("display names drop the optimizer's copy markers and static")
    func displayNames() {
        let cases: [(String, String)] = [
            ("function signature specialization <Arg[1] = Dead> of static Shop.Pricing.apply(prices: [Swift.Double]) -> Swift.Double", "Shop.Pricing.apply"),
            ("function signature specialization <Arg[0] = Exploded> of generic specialization <Swift.Double> of closure #1 () -> () in Shop.Run.run<A>(A) -> A",
             "closure #1 in Shop.Run.run"),
            ("Shop.Service.handle(request: Shop.Request) async throws -> Shop.Response", "Shop.Service.handle"),
            ("sqlite3VdbeExec", "sqlite3VdbeExec"),
        ]
        for (input, expected) in cases {
            #expect(SymbolNames.displayName(input) == expected, "\(input)")
        }
    }
}
