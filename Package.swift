// swift-tools-version: 6.0
// flamelab: a profiling lab. One package; the demo service lives under services/ (path: targets).
//
// Data flows one way: kernel -> Agent (unwinding and names through Symbolize) -> ProfileModel profiles ->
// LabRuntime's sinks -> ProfileStore or files -> FlameGraph pages and Lab's reports.
// The layers, each depending only on those above it:
//   ProfileModel      the vocabulary: ids, modes, formats, frames, profiles, codecs, diff, gate (pure;
//                     zlib and swift-protobuf for pprof's gzip framing and wire format)
//   FlameGraph        layout and renderers (pure)
//   Symbolize         /proc, ELF, DWARF, demangling, Python frames (reads files, not the kernel)
//   Agent             the only module touching the kernel (BPF through CBPF)
//   ProfileStore      SQLite (GRDB)
//   LabRuntime        infrastructure: processes, load, the shop client, SLO alerts, peers, sinks, reports
//   Lab               experiments only: one folder per scenario, the runner
//   LabServer         `lab serve`: a UI over the store (on LabRuntime, not Lab; loads no BPF)
//   lab               the thin CLI
// Only Agent (and its C shim CBPF) touches the kernel. ProfileModel and FlameGraph are pure: no I/O.
import PackageDescription

/// Swift 6 language mode (strict concurrency checking) for every target: all compile cleanly in it.
let swift6: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "flamelab",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "lab", targets: ["lab"]),
        .executable(name: "flamelab-shop", targets: ["flamelab-shop"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-otel/swift-w3c-trace-context", from: "1.0.0"),
        // The runtime of Codecs/Generated/profile.pb.swift: keep it at the release that generated the file.
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
    ],
    targets: [
        // MARK: C shims
        /// Per-thread trace context in OpenTelemetry's standard record (OTEP 4947), which the BPF agent
        /// reads through the thread pointer (no syscall). The standard requires its TLS symbol in
        /// .dynsym: every executable linking this target exports `otel_thread_ctx_v1`.
        .target(
            name: "CTraceContext",
            linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic-symbol=otel_thread_ctx_v1"])]
        ),
        /// Embedding Debian's libpython3.11: init, GIL handling, calls into services/shop/python.
        .target(name: "CPythonBridge", linkerSettings: [.linkedLibrary("python3.11")]),
        /// CPython 3.11 object layout from the installed headers, ELF data symbols, process_vm_readv (Symbolize/Python).
        .target(name: "CPythonProbe", linkerSettings: [.linkedLibrary("elf")]),
        /// Test-only: loads bpf/.output/pywalk_test.bpf.o (the Python walker) for PythonFramesTests.
        .target(name: "CPythonWalkTest", linkerSettings: [.linkedLibrary("bpf")]),
        /// perf_event_open, libbpf print callback, libelf/libdw glue: what Swift cannot call directly.
        .target(
            name: "CBPF",
            linkerSettings: [.linkedLibrary("bpf"), .linkedLibrary("elf"), .linkedLibrary("dw"), .linkedLibrary("z")]
        ),

        /// libelf/libdw glue for Symbolize: ELF symbol tables, demangler wrappers, DWARF (CFI) unwinding.
        /// glibc's <malloc.h>: the continuous agent returns freed heap pages and reports heap in use.
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        .target(name: "CElfDwarf", linkerSettings: [.linkedLibrary("elf"), .linkedLibrary("dw"), .linkedLibrary("stdc++")]),

        // MARK: pure modules (no I/O)
        /// zlib for pprof's gzip framing (a codec, not I/O).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        /// pprof's wire format is swift-protobuf's (types generated from profile.proto by `make pprof-proto`).
        .target(
            name: "ProfileModel",
            dependencies: ["CZlib", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: swift6
        ),
        .target(name: "FlameGraph", dependencies: ["ProfileModel"], swiftSettings: swift6),

        // MARK: modules with I/O
        .target(name: "ProfileStore", dependencies: ["ProfileModel", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift")], swiftSettings: swift6),
        .target(name: "Symbolize", dependencies: ["ProfileModel", "CElfDwarf", "CPythonProbe"], swiftSettings: swift6),
        .target(name: "Agent", dependencies: ["ProfileModel", "Symbolize", "CBPF"], swiftSettings: swift6),
        /// The infrastructure under the experiments: processes, load, the shop client, SLO alerts, peer
        /// command lines, the file and store sinks, reports and charts.
        .target(
            name: "LabRuntime",
            dependencies: [
                "ProfileModel", "FlameGraph", "ProfileStore", "Agent", "Symbolize", "CMalloc",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
            ],
            swiftSettings: swift6
        ),
        /// The experiments: one folder per scenario (measurement, report, scenario) and the runner.
        .target(
            name: "Lab",
            dependencies: ["LabRuntime", "ProfileModel", "FlameGraph", "ProfileStore", "Agent", "Symbolize", "CTraceContext"],
            swiftSettings: swift6
        ),
        /// `lab serve`: the drill's web UI over Hummingbird, reading the profile store `lab agent` writes
        /// (SLO status, alerts, flame graphs of any selection, traces, diffs). It loads no BPF.
        .target(
            name: "LabServer",
            dependencies: [
                "LabRuntime", "FlameGraph", "ProfileModel", "ProfileStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swift6
        ),
        .executableTarget(
            name: "lab",
            dependencies: ["Lab", "LabRuntime", "LabServer", "Agent", "FlameGraph", "ProfileModel", "ProfileStore",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swift6
        ),

        // MARK: the subject under test
        .target(
            name: "ShopService",
            dependencies: [
                "CTraceContext", "CPythonBridge",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
            ],
            path: "services/shop/ShopService",
            swiftSettings: swift6
        ),
        .executableTarget(
            name: "flamelab-shop",
            dependencies: ["ShopService", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "services/shop/flamelab-shop",
            swiftSettings: swift6
        ),

        // MARK: tests (Swift Testing)
        /// What every test target shares: the root/CI rule (`.requiresRoot`), running commands, finding tools.
        .target(name: "FlamelabTesting", path: "Tests/FlamelabTesting", swiftSettings: swift6),
        /// A Hummingbird application served on a free loopback port for one test, and a URLSession client for it.
        .target(name: "HTTPTestSupport", dependencies: [.product(name: "Hummingbird", package: "hummingbird"),
                                                        .product(name: "HTTPTypes", package: "swift-http-types"),
                                                        .product(name: "NIOCore", package: "swift-nio"),
                                                        .product(name: "Logging", package: "swift-log")],
                path: "Tests/HTTPTestSupport", swiftSettings: swift6),
        .testTarget(name: "ProfileModelTests", dependencies: ["ProfileModel"], resources: [.copy("Fixtures")], swiftSettings: swift6),
        .testTarget(name: "ProfileStoreTests", dependencies: ["ProfileStore", "ProfileModel", "FlamelabTesting", .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: swift6),
        .testTarget(name: "FlameGraphTests", dependencies: ["FlameGraph", "ProfileModel"], exclude: ["Browser"], resources: [.copy("Fixtures")], swiftSettings: swift6),
        /// Runs the built `lab` binary: gate exit codes and comment, flamegraph/diff outputs (needs the whole lab built).
        .testTarget(name: "LabCLITests", dependencies: ["FlamelabTesting", "ProfileModel", "lab"], exclude: ["Fixtures"], swiftSettings: swift6),
        .testTarget(name: "ShopServiceTests", dependencies: ["ShopService", "HTTPTestSupport", .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"), .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HTTPTypes", package: "swift-http-types")], swiftSettings: swift6),
        .testTarget(
            name: "PythonFramesTests",
            dependencies: ["FlamelabTesting", "Symbolize", "ProfileModel", "CPythonWalkTest"],
            resources: [.copy("Fixtures")],
            swiftSettings: swift6
        ),
        .testTarget(name: "LabTests", dependencies: ["Lab", "LabRuntime", "ProfileModel", "FlamelabTesting"], swiftSettings: swift6),
        /// The runtime's pure parts and its sinks: Prometheus answers, the SLO rules, Google's pprof on our files, file sinks.
        .testTarget(name: "LabRuntimeTests", dependencies: ["LabRuntime", "ProfileModel", "ProfileStore", "Agent", "FlamelabTesting"], exclude: ["Fixtures"], swiftSettings: swift6),
        /// `lab serve`'s routes on a live loopback server (no root, no BPF: the pages over a temporary store),
        /// and the Pyroscope push against a live receiver of its ingest API.
        .testTarget(name: "LabServerTests", dependencies: ["LabServer", "LabRuntime", "ProfileModel", "ProfileStore",
                                                            "HTTPTestSupport", .product(name: "Hummingbird", package: "hummingbird")], swiftSettings: swift6),
        /// The known program the Agent tests profile (a -> b -> c, a 200 ms block, a trace context).
        .executableTarget(name: "agent-testee", dependencies: ["CTraceContext"], path: "Tests/AgentTestee", swiftSettings: swift6),
        /// A minimal recorder over Agent: the process the SIGKILL test kills; measures the agent's own cost.
        .executableTarget(name: "agent-record", dependencies: ["Agent", "LabRuntime", "ProfileModel"], path: "Tests/AgentRecorder", swiftSettings: swift6),
        .testTarget(name: "AgentTests", dependencies: ["FlamelabTesting", "Agent", "LabRuntime", "Symbolize", "ProfileModel"], swiftSettings: swift6),
        .testTarget(name: "SymbolizeTests", dependencies: ["FlamelabTesting", "Symbolize", "ProfileModel", "CElfDwarf", "CTraceContext"], swiftSettings: swift6),
    ]
)

// Developer knob: FLAMELAB_ONLY=ProfileModel,ProfileModelTests keeps only the named targets, so work on a
// pure module need not build the HTTP stack. Unset (as in `make`, CI and the lab) everything builds.
if let only = Context.environment["FLAMELAB_ONLY"], !only.isEmpty {
    let keep = Set(only.split(separator: ",").map { String($0) })
    package.targets = package.targets.filter { keep.contains($0.name) }
    package.products = package.products.filter { keep.contains($0.name) }  // products are named after their target
}
