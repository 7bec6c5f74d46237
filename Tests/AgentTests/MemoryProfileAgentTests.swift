import Agent
import Foundation
import FlamelabTesting
import LabRuntime
import ProfileModel
import ProfileStore
import Synchronization
import Testing

extension AgentBPFTests {
    /// Memory profiles against a C program whose allocations are known: three call sites allocating
    /// 1000 B (freed), 64 KiB (freed) and 256 KiB (leaked) blocks. At the default rate (512 KiB) the
    /// weighted estimate of each site must fall within 10% of what it allocated; the loops are sized
    /// for about 1900, 2800 and 1260 samples per site, so 10% is over four standard deviations of the
    /// sampling error (measured over 9 runs of the smaller loops: 3.0% at 1400 samples).
    @Suite(.serialized)
    struct MemoryProfileAgentTests {
        /// How many blocks each site allocates.
        struct Pattern {
            var small: Int, medium: Int, leaked: Int

            /// Bytes each site allocates, by the name of its function in the program.
            var bytes: [String: Double] {
                ["site_a": Double(small) * 1000, "site_b": Double(medium) * 65536, "site_c": Double(leaked) * 262_144]
            }
            var objects: [String: Double] { ["site_a": Double(small), "site_b": Double(medium), "site_c": Double(leaked)] }
            var arguments: [String] { [String(small), String(medium), String(leaked)] }
        }

        /// 1000 B blocks: one sample per 524 blocks; 64 KiB: p = 0.118 each; 256 KiB (leaked): p = 0.39 each.
        static let pattern = Pattern(small: 1_000_000, medium: 24_000, leaked: 3_200)

        @Test(.requiresRoot) func allocEstimatesEachCallSiteWithinTenPercent() throws {
            try TestEnvironment.requireRoot()
            let recording = try Self.record(kinds: [.alloc], pattern: Self.pattern)
            let alloc = try #require(recording.profile(.alloc))
            #expect(alloc.metadata.allocationRateBytes == Int64(AgentConfig.defaultAllocRateBytes))
            for (site, truth) in Self.pattern.bytes {
                Self.expectWithin(0.10, Self.estimate(alloc, site: site), truth, "\(site) bytes", recording)
                Self.expectWithin(0.10, Self.estimate(alloc.selectingSampleType(.objects), site: site), Self.pattern.objects[site]!,
                                  "\(site) allocations", recording)
            }
            // The allocations made under the thread's trace context carry its ids; no other does.
            let inSiteB = Set(alloc.stacks.indices.filter { alloc.frames(ofStack: $0).contains { $0.name == "site_b" } })
            let traced = alloc.samples.filter { $0.labels.traceID != nil }
            #expect(!traced.isEmpty, "\(recording.stats.summary)")
            #expect(traced.allSatisfy { $0.labels.traceID == Self.traceID && $0.labels.spanID == Self.spanID && inSiteB.contains($0.stackID) })
            #expect(traced.count == alloc.samples.filter { inSiteB.contains($0.stackID) }.count, "\(recording.stats.summary)")
        }

        /// In-use (return probes and free): the leaking site with about its leaked bytes, the freed
        /// sites with nothing left; the alloc profile of the same run still estimates each site.
        @Test(.requiresRoot) func inuseNamesTheLeakingSiteWithItsLeakedBytes() throws {
            try TestEnvironment.requireRoot()
            // Fewer small blocks: each call now pays three probes (entry, return, free).
            let pattern = Pattern(small: 100_000, medium: Self.pattern.medium, leaked: Self.pattern.leaked)
            let recording = try Self.record(kinds: [.alloc, .inuse], pattern: pattern)
            let inuse = try #require(recording.profile(.inuse))
            let alloc = try #require(recording.profile(.alloc))
            let memory = try #require(recording.stats.memory)
            #expect(memory.tracksInUse && memory.liveMapFull == 0 && memory.drops == 0, "\(recording.stats.summary)")
            let leaked = pattern.bytes["site_c"]!
            Self.expectWithin(0.10, Self.estimate(inuse, site: "site_c"), leaked, "site_c in use", recording)
            let freed = Self.estimate(inuse, site: "site_a") + Self.estimate(inuse, site: "site_b")
            #expect(freed < leaked * 0.01, "freed sites still in use: \(freed) B; \(recording.stats.summary)")
            // The leaf is the allocator, named, and the leaking function is its caller.
            let top = try #require(inuse.samples.max { $0.value < $1.value })
            #expect(inuse.frames(ofStack: top.stackID).suffix(2).map(\.name) == ["site_c", "malloc"])
            for site in ["site_b", "site_c"] {
                Self.expectWithin(0.10, Self.estimate(alloc, site: site), pattern.bytes[site]!, "\(site) allocated", recording)
            }
        }

        /// A target that exits during the recording: the agent stops and keeps its samples (named
        /// from the symbols read at the start).
        /// `Agent.memorySnapshot` while the run goes on: before the program allocates, site_c holds
        /// nothing; once it has leaked, the snapshot holds its leak (within 10%), and the final in-use
        /// profile agrees with it; after the run a snapshot is refused (nil), not a hang.
        @Test(.requiresRoot) func inuseSnapshotsDuringTheRunShowWhatGrew() throws {
            guard TestEnvironment.require(TestEnvironment.isRoot, "not root: memory profiles attach uprobes") else { return }
            let pattern = Pattern(small: 0, medium: 0, leaked: 3_200)
            let program = try PatternProgram(pattern)
            let agent = Agent(config: AgentConfig(targets: .pids([program.pid]), kinds: [.inuse], python: .off, durationSeconds: 120, swiftAsync: false))
            try agent.start()
            let before = try #require(agent.memorySnapshot(.inuse), "no snapshot while running")
            program.go()
            program.waitUntilDone()
            let after = try #require(agent.memorySnapshot(.inuse), "no snapshot while running")
            agent.requestStop()
            let recording = agent.finish()
            withExtendedLifetime(program) {}
            let final = try #require(recording.profile(.inuse))
            #expect(Self.estimate(before, site: "site_c") == 0)
            Self.expectWithin(0.10, Self.estimate(after, site: "site_c"), pattern.bytes["site_c"]!, "site_c in the snapshot", recording)
            #expect(Self.estimate(after, site: "site_c") == Self.estimate(final, site: "site_c"))
            #expect(agent.memorySnapshot(.inuse) == nil)
            #expect(agent.memorySnapshot(.cpu) == nil)
        }

        /// Continuous mode, the target added while running (as `lab agent --service` adds each instance):
        /// the windows' alloc profiles add up to what each site allocated (every sample in exactly one
        /// window), and each window's in-use profile is what is live at its end, so the leak stays in
        /// every window after it was made and the freed site is in none.
        @Test(.requiresRoot) func continuousWindowsCarryAllocAndInUse() throws {
            guard TestEnvironment.require(TestEnvironment.isRoot, "not root: memory profiles attach uprobes") else { return }
            let pattern = Pattern(small: 0, medium: Self.pattern.medium, leaked: Self.pattern.leaked)
            let program = try PatternProgram(pattern)
            let agent = Agent(config: AgentConfig(targets: .pids([]), kinds: [.alloc, .inuse], python: .off, durationSeconds: nil,
                                                  windowSeconds: 1, swiftAsync: false))
            let windows = Mutex<[AgentWindow]>([])
            agent.onWindow = { window in windows.withLock { $0.append(window) } }
            try agent.start()
            agent.addTarget(program.pid)
            let attached = Date().addingTimeInterval(10)
            while !agent.currentTargets.contains(program.pid) && Date() < attached { usleep(10_000) }
            usleep(500_000)  // the probes follow the target set in the same drain pass
            program.go()
            program.waitUntilDone()
            Thread.sleep(forTimeInterval: 2.5)  // two more windows with nothing allocated
            agent.requestStop()
            let recording = agent.finish()
            withExtendedLifetime(program) {}
            let cut = windows.withLock { $0 }
            #expect(recording.profiles.isEmpty, "in continuous mode the samples are in the windows only")
            #expect(cut.count >= 3, "\(cut.count) windows")
            func profiles(_ kind: ProfileKind) -> [Profile] { cut.compactMap { $0.profiles.first { $0.metadata.kind == kind } } }
            let allocs = profiles(.alloc), inUse = profiles(.inuse)
            #expect(allocs.count == cut.count && inUse.count == cut.count, "every window has both memory kinds")
            #expect(allocs.allSatisfy { $0.metadata.allocationRateBytes == Int64(AgentConfig.defaultAllocRateBytes) })
            for site in ["site_b", "site_c"] {
                let summed = allocs.reduce(0.0) { $0 + Self.estimate($1, site: site) }
                Self.expectWithin(0.10, summed, pattern.bytes[site]!, "\(site) allocated, summed over windows", recording)
            }
            // The last two windows allocated nothing, and still hold the whole leak.
            let leaked = pattern.bytes["site_c"]!
            for profile in inUse.suffix(2) {
                #expect(Self.estimate(profile, site: "site_b") < leaked * 0.01, "the freed site in use")
                Self.expectWithin(0.10, Self.estimate(profile, site: "site_c"), leaked, "site_c in use at a window's end", recording)
            }
            #expect(allocs.suffix(2).allSatisfy { Self.estimate($0, site: "site_c") == 0 }, "an idle window allocated nothing")
            #expect(Self.estimate(inUse[inUse.count - 1], site: "site_c") == Self.estimate(inUse[inUse.count - 2], site: "site_c"))
            #expect(cut.allSatisfy { $0.drops == 0 }, "\(recording.stats.summary)")
        }

        /// `lab agent --kind alloc,inuse` end to end: its windows in the store read back as the alloc
        /// profile of the range (each site within 10% of what it allocated) and the in-use profile at the
        /// range's end (the leak within 10%, the freed site gone), with the rate they were taken at.
        @Test(.requiresRoot) func labAgentStoresMemoryWindows() throws {
            guard TestEnvironment.require(TestEnvironment.isRoot, "not root: memory profiles attach uprobes") else { return }
            let pattern = Pattern(small: 0, medium: Self.pattern.medium, leaked: Self.pattern.leaked)
            let program = try PatternProgram(pattern)
            let dir = try ContinuousAgentTests.scratch("agent-memory")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let storePath = dir + "/profiles.sqlite"
            let (agent, _) = try ContinuousAgentTests.labAgent(["--pid", "\(program.pid)", "--kind", "alloc,inuse", "--window", "1s",
                                                                "--store", storePath, "--ready-file", dir + "/ready"])
            #expect(ContinuousAgentTests.waitFor(dir + "/ready", seconds: 60), "lab agent never said it attached")
            program.go()
            #expect(program.waitUntilDone())
            Thread.sleep(forTimeInterval: 2.5)
            kill(agent.processIdentifier, SIGTERM)
            agent.waitUntilExit()
            #expect(agent.terminationStatus == 0)
            let store = try ProfileStore(path: storePath)
            let alloc = try store.profile(query: try StoreSelection(kind: .alloc).query())
            let inUse = try store.profile(query: try StoreSelection(kind: .inuse).query())
            let summary = "\(try store.runs().count) windows"
            for site in ["site_b", "site_c"] {
                let error = Self.estimate(alloc, site: site) / pattern.bytes[site]! - 1
                #expect(abs(error) <= 0.10, "\(site) allocated: \(error * 100)%, \(summary)")
            }
            let leak = Self.estimate(inUse, site: "site_c") / pattern.bytes["site_c"]! - 1
            #expect(abs(leak) <= 0.10, "site_c in use at the end: \(leak * 100)%, \(summary)")
            #expect(Self.estimate(inUse, site: "site_b") < pattern.bytes["site_c"]! * 0.01)
            #expect(inUse.metadata.allocationRateBytes == Int64(AgentConfig.defaultAllocRateBytes))
            #expect(try store.runs(filter: RunFilter(kind: .alloc)).allSatisfy { $0.period == Int64(AgentConfig.defaultAllocRateBytes) })
            print(String(format: "lab agent memory: %@, alloc site_c %.0f B, in use site_c %.0f B (truth %.0f)", summary,
                         Self.estimate(alloc, site: "site_c"), Self.estimate(inUse, site: "site_c"), pattern.bytes["site_c"]!))
            withExtendedLifetime(program) {}
        }

        @Test(.requiresRoot) func targetExitingMidRunKeepsWhatWasSampled() throws {
            try TestEnvironment.requireRoot()
            let pattern = Pattern(small: 0, medium: Self.pattern.medium, leaked: 0)
            let recording = try Self.record(kinds: [.alloc], pattern: pattern, exits: true)
            let alloc = try #require(recording.profile(.alloc))
            #expect(!recording.stats.exitedTargets.isEmpty, "\(recording.stats.summary)")
            Self.expectWithin(0.10, Self.estimate(alloc, site: "site_b"), pattern.bytes["site_b"]!, "site_b after exit", recording)
        }

        /// Every allocator, sampled at rate 1 (each allocation weighs exactly 1): calloc counts count x size,
        /// realloc frees the old block and allocates the new one, posix_memalign's address is read through
        /// its first argument, and what is left live is exactly what the program keeps. Both in-use
        /// mechanisms: uprobe sessions (where the kernel has them) and entry + return probes.
        @Test(.requiresRoot, arguments: [true, false])
        func everyAllocatorIsCountedExactlyAtRateOne(sessions: Bool) throws {
            try TestEnvironment.requireRoot()
            // The suite is serialized: no other agent reads the knob meanwhile.
            if !sessions { setenv("FLAMELAB_MEMORY_SESSIONS", "0", 1) }
            defer { unsetenv("FLAMELAB_MEMORY_SESSIONS") }
            let recording = try Self.record(kinds: [.alloc, .inuse], pattern: Pattern(small: 0, medium: 0, leaked: 0), rate: 1, allocators: 10)
            if !sessions { #expect(recording.stats.memory?.usesUprobeSessions == false) }
            let alloc = try #require(recording.profile(.alloc)), inuse = try #require(recording.profile(.inuse))
            func bytes(_ profile: Profile, leaf: String) -> Int64 {
                profile.samples.filter { sample in
                    let frames = profile.frames(ofStack: sample.stackID)
                    return frames.last?.name == leaf && frames.contains { $0.name == "site_d" }
                }.reduce(0) { $0 + $1.value }
            }
            let summary = recording.stats.summary
            // Per round: malloc(100), realloc to 5000, calloc(4, 1000), posix_memalign 3000, aligned_alloc 4096.
            #expect(bytes(alloc, leaf: "malloc") == 10 * 100, "\(summary)")
            #expect(bytes(alloc, leaf: "realloc") == 10 * 5000, "\(summary)")
            #expect(bytes(alloc, leaf: "calloc") == 10 * 4000, "\(summary)")
            #expect(bytes(alloc, leaf: "posix_memalign") == 10 * 3000, "\(summary)")
            #expect(bytes(alloc, leaf: "aligned_alloc") == 10 * 4096, "\(summary)")
            // Kept: the realloc'd and the posix_memalign'd blocks; freed: the calloc'd and aligned_alloc'd
            // ones, and the malloc'd ones, which realloc released.
            #expect(bytes(inuse, leaf: "realloc") == 10 * 5000, "\(summary)")
            #expect(bytes(inuse, leaf: "posix_memalign") == 10 * 3000, "\(summary)")
            for leaf in ["malloc", "calloc", "aligned_alloc"] { #expect(bytes(inuse, leaf: leaf) == 0, "\(leaf): \(summary)") }
        }

        /// A CPython 3.11 program: its allocations carry the Python functions that made them, and the
        /// estimate of the churning function's bytes holds (bytearray's buffers come from libc's malloc).
        @Test(.requiresRoot) func pythonAllocationsNameThePythonFunction() throws {
            try TestEnvironment.requireRoot()
            let python = "/usr/bin/python3.11"
            guard FileManager.default.isExecutableFile(atPath: python) else {
                Issue.record("failed to find \(python): install python3.11")
                return
            }
            let directory = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let script = directory.appendingPathComponent("allocate.py").path
            try Self.pythonSource.write(toFile: script, atomically: true, encoding: .utf8)
            let go = directory.path + "/go", done = directory.path + "/done"
            let process = try ChildProcess(python, [script, go, done], output: "/dev/null")
            defer { process.signal(SIGKILL); _ = process.wait(seconds: 5) }
            usleep(300_000)  // _PyRuntime must exist to be registered
            let agent = Agent(config: AgentConfig(targets: .pids([process.pid]), kinds: [.alloc, .inuse], python: .auto, durationSeconds: 120, swiftAsync: false))
            try agent.start()
            _ = FileManager.default.createFile(atPath: go, contents: nil)
            let deadline = Date().addingTimeInterval(60)
            while !FileManager.default.fileExists(atPath: done) && Date() < deadline { usleep(20_000) }
            agent.requestStop()
            let recording = agent.finish()
            print("memory python: \(recording.stats.summary)")
            let alloc = try #require(recording.profile(.alloc)), inuse = try #require(recording.profile(.inuse))
            func pythonEstimate(_ profile: Profile, _ function: String) -> Double {
                let stacks = Set(profile.stacks.indices.filter { profile.frames(ofStack: $0).contains { $0.kind == .python && $0.name.hasPrefix(function) } })
                return Double(profile.samples.filter { stacks.contains($0.stackID) }.reduce(Int64(0)) { $0 + $1.value })
            }
            // 3000 x 100 000 B churned: p = 0.17 each, ~520 samples.
            Self.expectWithin(0.15, pythonEstimate(alloc, "churn_site"), 3000 * 100_000, "churn_site (Python)", recording)
            // 200 x 300 000 B kept: p = 0.44 each.
            Self.expectWithin(0.30, pythonEstimate(inuse, "leak_site"), 200 * 300_000, "leak_site in use (Python)", recording)
        }

        static let pythonSource = """
        import os, sys, time

        def churn_site(n):
            for _ in range(n):
                block = bytearray(100000)
                del block

        def leak_site(n, keep):
            for _ in range(n):
                keep.append(bytearray(300000))

        while not os.path.exists(sys.argv[1]):
            time.sleep(0.01)
        kept = []
        churn_site(3000)
        leak_site(200, kept)
        open(sys.argv[2], "w").close()
        time.sleep(600)
        """

        /// A statically linked program has no libc allocator to probe: a clear error, not an empty profile.
        @Test(.requiresRoot) func staticallyLinkedTargetIsAClearError() throws {
            try TestEnvironment.requireRoot()
            let directory = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let executable = try Self.build(in: directory, static: true)
            let process = try ChildProcess(executable, ["1", "1", "1", directory.path + "/never"], output: "/dev/null")
            defer { process.signal(SIGKILL); _ = process.wait(seconds: 5) }
            usleep(200_000)
            let agent = Agent(config: AgentConfig(targets: .pids([process.pid]), kinds: [.alloc], python: .off, durationSeconds: 5, swiftAsync: false))
            let error = #expect(throws: FlamelabError.self) { try agent.start() }
            let message = error.map { "\($0)" } ?? ""
            #expect(message.contains("malloc") && message.contains("statically linked") && message.contains("\(process.pid)"), "\(message)")
        }

        static let traceID = TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736")!
        static let spanID = SpanID(hex: "00f067aa0ba902b7")!

        // MARK: - helpers

        /// Runs the program with `pattern` under an agent recording `kinds` at the default rate; the
        /// program allocates once the agent is attached (it waits for a file) and then stays (or exits).
        static func record(kinds: Set<ProfileKind>, pattern: Pattern, exits: Bool = false, rate: UInt64 = AgentConfig.defaultAllocRateBytes,
                           allocators: Int = 0) throws -> AgentRecording {
            let program = try PatternProgram(pattern, exits: exits, allocators: allocators)
            var config = AgentConfig(targets: .pids([program.pid]), kinds: kinds, python: .off, durationSeconds: 120, swiftAsync: false)
            config.allocRateBytes = rate
            let agent = Agent(config: config)
            try agent.start()
            program.go()
            if exits {
                // Reaped here, so the agent sees it gone and stops by itself.
                #expect(program.process.wait(seconds: 90), "the program did not exit")
            } else {
                #expect(program.waitUntilDone(), "the program did not finish its allocations")
                agent.requestStop()
            }
            let recording = agent.finish()
            withExtendedLifetime(program) {}
            print("memory \(kinds.map(\.rawValue).sorted()): \(recording.stats.summary)")
            return recording
        }

        /// The summed value of the samples whose stack passes through `site`.
        static func estimate(_ profile: Profile, site: String) -> Double {
            let stacks = Set(profile.stacks.indices.filter { profile.frames(ofStack: $0).contains { $0.name == site } })
            return Double(profile.samples.filter { stacks.contains($0.stackID) }.reduce(Int64(0)) { $0 + $1.value })
        }

        static func expectWithin(_ tolerance: Double, _ estimate: Double, _ truth: Double, _ what: String, _ recording: AgentRecording,
                                 sourceLocation: SourceLocation = #_sourceLocation) {
            let error = (estimate - truth) / truth
            print(String(format: "  %@: estimate %.0f, truth %.0f, error %+.1f%%", what, estimate, truth, error * 100))
            #expect(abs(error) <= tolerance, "\(what): estimate \(estimate) vs \(truth); \(recording.stats.summary)", sourceLocation: sourceLocation)
        }

        /// The allocation program running with a pattern, waiting for `go()`; killed and removed at the end.
        final class PatternProgram {
            let process: ChildProcess
            private let directory: URL
            var pid: Int32 { process.pid }
            private var goFile: String { directory.path + "/go" }
            private var doneFile: String { directory.path + "/done" }

            init(_ pattern: Pattern, exits: Bool = false, allocators: Int = 0) throws {
                directory = try MemoryProfileAgentTests.temporaryDirectory()
                let executable = try MemoryProfileAgentTests.build(in: directory, static: false)
                let files = [directory.path + "/go", directory.path + "/done"]
                process = try ChildProcess(executable, pattern.arguments + files + [exits ? "exit" : "stay", String(allocators)], output: "/dev/null")
            }

            deinit {
                process.signal(SIGKILL)
                _ = process.wait(seconds: 5)
                try? FileManager.default.removeItem(at: directory)
            }

            /// Lets the program allocate.
            func go() { _ = FileManager.default.createFile(atPath: goFile, contents: nil) }

            /// Waits until it has made its allocations (up to 90 s); false when it has not.
            @discardableResult
            func waitUntilDone() -> Bool {
                let deadline = Date().addingTimeInterval(90)
                while !FileManager.default.fileExists(atPath: doneFile) && Date() < deadline { usleep(20_000) }
                return FileManager.default.fileExists(atPath: doneFile)
            }
        }

        static func temporaryDirectory() throws -> URL {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flamelab-memory-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return directory
        }

        /// Builds the program with frame pointers (the memory probes walk frame pointers); `static`
        /// links glibc in.
        static func build(in directory: URL, static isStatic: Bool) throws -> String {
            let gcc = try #require(TestEnvironment.findExecutable("gcc"), "gcc is needed to build the test program")
            try source.write(to: directory.appendingPathComponent("pattern.c"), atomically: true, encoding: .utf8)
            let executable = directory.path + "/pattern"
            // The spec: the context symbol must be in .dynsym even when the executable defines it.
            let arguments = ["-O1", "-fno-omit-frame-pointer", "-Wl,--export-dynamic-symbol=otel_thread_ctx_v1"]
                + (isStatic ? ["-static"] : []) + ["-o", executable, "pattern.c"]
            let (status, output) = try TestEnvironment.run(gcc, arguments, directory: directory)
            guard status == 0 else { throw TestProgramError("failed to build the allocation program: gcc \(arguments.joined(separator: " ")): \(output)") }
            return executable
        }

        /// argv: small medium leaked go-file [done-file exit|stay [rounds of site_d]]. Each site is its own function; the
        /// volatile sink keeps the compiler from eliding a malloc/free pair. site_b runs under `traceID`.
        static let source = #"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <unistd.h>

        static void *volatile sink;

        /* OpenTelemetry's thread context (OTEP 4947), published around site_b only. */
        struct otel_thread_ctx_record {
            unsigned char trace_id[16], span_id[8], valid, trace_flags;
            unsigned short attrs_data_size;
        } __attribute__((packed));
        __thread struct otel_thread_ctx_record *otel_thread_ctx_v1;
        static struct otel_thread_ctx_record context = {
            { 0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36 },
            { 0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7 }, 1, 1, 0 };

        __attribute__((noinline)) static void site_a(long n) {
            for (long i = 0; i < n; i++) { char *p = malloc(1000); p[0] = 1; sink = p; free(p); }
        }
        __attribute__((noinline)) static void site_b(long n) {
            for (long i = 0; i < n; i++) { char *p = malloc(65536); p[0] = 1; sink = p; free(p); }
        }
        __attribute__((noinline)) static void site_c(long n) {
            for (long i = 0; i < n; i++) { char *p = malloc(262144); p[0] = 1; sink = p; }
        }

        /* Each allocator once per round; keeps the realloc'd and posix_memalign'd blocks. */
        __attribute__((noinline)) static void site_d(long rounds) {
            for (long i = 0; i < rounds; i++) {
                char *p = malloc(100); p[0] = 1;
                p = realloc(p, 5000); p[0] = 1; sink = p;
                char *q = calloc(4, 1000); sink = q; free(q);
                void *r = 0; if (posix_memalign(&r, 64, 3000) == 0) sink = r;
                char *s = aligned_alloc(64, 4096); s[0] = 1; sink = s; free(s);
            }
        }

        int main(int argc, char **argv) {
            if (argc < 5) return 2;
            while (access(argv[4], F_OK) != 0) usleep(10000);
            site_a(atol(argv[1]));
            otel_thread_ctx_v1 = &context;
            site_b(atol(argv[2]));
            otel_thread_ctx_v1 = 0;
            site_c(atol(argv[3]));
            if (argc > 7) site_d(atol(argv[7]));
            if (argc > 5) { FILE *f = fopen(argv[5], "w"); if (f) fclose(f); }
            if (argc > 6 && strcmp(argv[6], "exit") == 0) return 0;
            for (;;) pause();
        }
        """#
    }
}
