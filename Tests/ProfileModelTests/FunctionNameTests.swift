import Testing
import ProfileModel

@Suite("Function names for people")
struct FunctionNameTests {
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
            #expect(FunctionName.simplify(input) == expected, "\(input)")
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
            #expect(FunctionName.display(input) == expected, "\(input)")
        }
    }

    @Test("frames show short names for native code and keep Python, kernel and placeholder names")
    func frameDisplayNames() {
        let specialised = "function signature specialization <Arg[1] = Dead> of static Shop.Pricing.apply(prices: [Swift.Double]) -> Swift.Double"
        #expect(Frame(name: specialised, kind: .app).displayName == "Shop.Pricing.apply")
        #expect(Frame(name: "std::vector<int, std::allocator<int> >::push_back(int const&)", kind: .native).displayName == "std::vector::push_back")
        #expect(Frame(name: "[unknown]", kind: .unknown).displayName == "[unknown]")
        #expect(Frame(name: "[unknown]", kind: .app).displayName == "[unknown]")
        #expect(Frame(name: "recommendations.score_candidates", kind: .python).displayName == "recommendations.score_candidates")
        #expect(Frame(name: "finish_task_switch.isra.0", kind: .kernel).displayName == "finish_task_switch.isra.0")
        #expect(Frame(name: "libpython3.11.so.1.0+0x1ccf15", kind: .interpreter).displayName == "libpython3.11.so.1.0+0x1ccf15")
    }
}
