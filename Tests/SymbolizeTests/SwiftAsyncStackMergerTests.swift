import Foundation
import ProfileModel
import Symbolize
import Testing

/// The splice of Swift async callers into a machine stack, and the funclet naming rules, without BPF.
struct SwiftAsyncStackMergerTests {
    static let hot = Frame(name: "Shop.hot(Swift.Int) -> Swift.Int", module: "shop", kind: .app)
    static let runningB = Frame(name: "(1) await resume partial function for Shop.b() async -> Swift.Int", module: "shop", kind: .app)
    static let executor = Frame(name: "swift::runJobInEstablishedExecutorContext(swift::Job*)", module: "libswift_Concurrency.so", kind: .swiftRuntime)
    static let jobRun = Frame(name: "swift_job_run", module: "libswift_Concurrency.so", kind: .swiftRuntime)
    static let resumeA = Frame(name: "(2) await resume partial function for Shop.a() async -> Swift.Int", module: "shop", kind: .app)
    static let resumeHandler = Frame(name: "(1) suspend resume partial function for Shop.handler() async -> ()", module: "shop", kind: .app)
    static let completion = Frame(name: "completeTaskWithClosure(swift::AsyncContext*, swift::SwiftError*)", module: "libswift_Concurrency.so", kind: .swiftRuntime)
    static let native = [hot, runningB, executor, jobRun]
    static let addresses: [UInt64] = [0x1000, 0x2000, 0x3000, 0x4000]

    @Test func splicesCallersAboveTheExecutorNamedAfterTheirFunction() {
        var merger = SwiftAsyncStackMerger()
        let merged = merger.merge(native: Self.native, nativeAddresses: Self.addresses, funcletPC: 0x2000,
                                  callers: [Self.resumeA, Self.resumeHandler, Self.completion])
        #expect(merged.map(\.name) == ["Shop.hot(Swift.Int) -> Swift.Int", "Shop.b() async -> Swift.Int", "Shop.a() async -> Swift.Int",
                                       "Shop.handler() async -> ()", Self.executor.name, Self.jobRun.name])
        #expect(merged.map(\.kind) == [.app, .app, .swiftAsync, .swiftAsync, .swiftRuntime, .swiftRuntime])
        #expect(merger.statistics.spliced == 1)
    }

    @Test func marksATruncatedChainAtItsRootEnd() {
        var merger = SwiftAsyncStackMerger()
        let merged = merger.merge(native: Self.native, nativeAddresses: Self.addresses, funcletPC: 0x2000,
                                  callers: [Self.resumeA, Self.resumeHandler], truncated: true)
        #expect(merged.filter { $0.kind == .swiftAsync }.map(\.name) == ["Shop.a() async -> Swift.Int", "Shop.handler() async -> ()",
                                                                           SwiftAsyncStackMerger.truncationName])
    }

    @Test func rejectsAChainWhoseFirstResumeFunctionIsNotAFunclet() {
        var merger = SwiftAsyncStackMerger()
        let garbage = Frame(name: "memcpy", module: "libc.so.6", kind: .libc)
        let merged = merger.merge(native: Self.native, nativeAddresses: Self.addresses, funcletPC: 0x2000, callers: [garbage, Self.resumeA])
        #expect(merged == Self.native)
        #expect(merger.statistics.rejected == 1)
    }

    @Test func stopsAtTheFirstImplausibleCallerAndDropsTheRunningFuncletEcho() {
        var merger = SwiftAsyncStackMerger()
        let garbage = Frame(name: "memcpy", module: "libc.so.6", kind: .libc)
        let merged = merger.merge(native: Self.native, nativeAddresses: Self.addresses, funcletPC: 0x2000,
                                  callers: [Self.runningB, Self.resumeA, garbage, Self.resumeHandler])
        #expect(merged.filter { $0.kind == .swiftAsync }.map(\.name) == ["Shop.a() async -> Swift.Int"])
    }

    @Test func leavesTheStackWhenTheFuncletIsNotInIt() {
        var merger = SwiftAsyncStackMerger()
        let merged = merger.merge(native: Self.native, nativeAddresses: Self.addresses, funcletPC: 0x9999, callers: [Self.resumeA])
        #expect(merged == Self.native)
        #expect(merger.statistics.funcletNotFound == 1)
    }

    /// The attach-time check on a live process: this test process runs on the concurrency runtime.
    @Test func findsAndChecksTheConcurrencyRuntimeOfALiveProcess() throws {
        let runtime = try #require(try SwiftConcurrencyRuntime.inspect(pid: getpid()))
        #expect(runtime.path.contains(SwiftConcurrencyRuntime.libraryPrefix))
        #expect(runtime.funcletSymbols > 0)
        // The executor range is where swift_job_run really is in this process (dlsym with RTLD_DEFAULT, glibc's null handle).
        let jobRun = UInt64(UInt(bitPattern: try #require(dlsym(nil, SwiftConcurrencyRuntime.jobRunSymbol))))
        #expect(runtime.executorStart <= jobRun && jobRun < runtime.executorEnd)
    }

    @Test func funcletManglingAndNames() {
        #expect(SwiftConcurrencyRuntime.isFuncletSymbol("$s4Arms10asyncGreetSSyYaFTQ0_"))
        #expect(SwiftConcurrencyRuntime.isFuncletSymbol("$sScTss5NeverORszABRs_rlE5yieldyyYaFZTY0_"))
        #expect(SwiftConcurrencyRuntime.isFuncletSymbol("$s4Arms10asyncGreetSSyYaFTQ12_"))
        #expect(!SwiftConcurrencyRuntime.isFuncletSymbol("$s4Arms10asyncGreetSSyYaF"))
        #expect(!SwiftConcurrencyRuntime.isFuncletSymbol("$sScTss5NeverORszABRs_rlE5yieldyyYaFZTu"))
        #expect(SwiftConcurrencyRuntime.asyncFunctionName(Self.resumeA.name) == "Shop.a() async -> Swift.Int")
        // The toolchain's own demangler words funclets the way the merger expects.
        let demangled = SymbolNames.demangle("$s4Arms10asyncGreetSSyYaFTQ0_")
        #expect(SwiftConcurrencyRuntime.isFuncletName(demangled), "\(demangled)")
        #expect(SwiftConcurrencyRuntime.asyncFunctionName(demangled) == SymbolNames.demangle("$s4Arms10asyncGreetSSyYaF"))
        #expect(SwiftConcurrencyRuntime.asyncFunctionName("(extension in Foo):Bar.baz()") == "(extension in Foo):Bar.baz()")
    }
}
