import Agent
import Foundation
import LabRuntime
import ProfileModel
import Symbolize
import FlamelabTesting
import Testing

extension AgentBPFTests {
    /// The agent reads the OpenTelemetry thread context (OTEP 4947) of a program nobody here wrote: a C
    /// program built at test time with gcc, publishing `otel_thread_ctx_v1` by the spec's own rules and
    /// none of flamelab's code, in each way the spec lets the variable live (the TLS access models).
    /// Every CPU sample and every off-CPU interval of the program must carry its trace and span ids.
    @Suite(.serialized)
    struct OtelThreadContextTests {
        /// How the writer is built and linked: where the TLS variable lives and how code reaches it.
        enum LinkCase: String, CaseIterable, CustomTestStringConvertible {
            case executableLocalExec = "executable, local-exec"
            case libraryInitialExec = "shared library, initial-exec"
            case libraryDescriptor = "shared library, TLSDESC"
            case libraryGeneralDynamic = "shared library, general-dynamic"
            case dlopenDescriptor = "dlopen'ed library, TLSDESC"
            case dlopenGeneralDynamic = "dlopen'ed library, general-dynamic"
            /// dlopen'ed 1 s after the agent attached: the agent must find it when the mappings change.
            case dlopenLater = "library dlopen'ed after the agent attached, general-dynamic"

            var testDescription: String { rawValue }

            /// Whether the agent should find the variable in the static TLS block (else through the DTV):
            /// both BPF paths are exercised.
            var isStaticTLS: Bool {
                switch self {
                case .executableLocalExec, .libraryInitialExec, .libraryDescriptor: return true
                case .libraryGeneralDynamic, .dlopenDescriptor, .dlopenGeneralDynamic, .dlopenLater: return false
                }
            }

            /// glibc (2.32+) puts a dlopen'ed library's TLS in the spare static TLS when it fits and the
            /// library uses TLS descriptors; the tunable turns that off, so the descriptor is dynamic.
            var environment: [String: String] {
                self == .dlopenDescriptor ? ["GLIBC_TUNABLES": "glibc.rtld.optional_static_tls=0"] : [:]
            }

            var isLibrary: Bool { self != .executableLocalExec }
            var isDlopened: Bool { self == .dlopenDescriptor || self == .dlopenGeneralDynamic || self == .dlopenLater }

            /// gcc flags for writer.c when it is a shared library.
            var libraryFlags: [String] {
                switch self {
                case .executableLocalExec: return []
                case .libraryInitialExec: return ["-DWRITER_TLS_MODEL=\"initial-exec\""]
                case .libraryDescriptor, .dlopenDescriptor: return ["-mtls-dialect=gnu2"]
                case .libraryGeneralDynamic, .dlopenGeneralDynamic, .dlopenLater: return ["-mtls-dialect=gnu"]
                }
            }
        }

        /// The writer, from the spec alone: the record's layout, `valid`, and the pointer-swap style
        /// (fill a record that is not published, valid = 1, compiler fence, then store its address).
        static let writerSource = #"""
        #include <stdint.h>
        #include <string.h>

        struct otel_thread_ctx_record {
            uint8_t trace_id[16];
            uint8_t span_id[8];
            uint8_t valid;
            uint8_t trace_flags;
            uint16_t attrs_data_size;
            uint8_t attrs_data[32];
        } __attribute__((packed, aligned(8)));

        #ifdef WRITER_TLS_MODEL
        #define TLS_MODEL __attribute__((tls_model(WRITER_TLS_MODEL)))
        #else
        #define TLS_MODEL
        #endif

        __attribute__((visibility("default"))) __thread struct otel_thread_ctx_record *otel_thread_ctx_v1 TLS_MODEL;

        /* One writer thread in this program: two process-wide records are enough to swap. */
        static struct otel_thread_ctx_record records[2];

        static void parse_hex(const char *hex, uint8_t *out, int count) {
            for (int i = 0; i < count; i++) {
                unsigned value = 0;
                for (int j = 0; j < 2; j++) {
                    char c = hex[2 * i + j];
                    value = value * 16 + (c >= 'a' ? c - 'a' + 10 : c - '0');
                }
                out[i] = (uint8_t)value;
            }
        }

        __attribute__((visibility("default"))) void writer_publish(const char *trace_hex, const char *span_hex) {
            struct otel_thread_ctx_record *next = otel_thread_ctx_v1 == &records[0] ? &records[1] : &records[0];
            parse_hex(trace_hex, next->trace_id, 16);
            parse_hex(span_hex, next->span_id, 8);
            next->trace_flags = 1;
            /* One attribute (key index 0, "test"): readers that do not decode attributes skip it. */
            next->attrs_data[0] = 0;
            next->attrs_data[1] = 4;
            memcpy(next->attrs_data + 2, "test", 4);
            next->attrs_data_size = 6;
            next->valid = 1;
            __atomic_signal_fence(__ATOMIC_SEQ_CST);
            otel_thread_ctx_v1 = next;
        }
        """#

        /// Publishes, prints "ready", then alternates 30 ms on CPU and 30 ms asleep for `seconds`.
        static let mainSource = #"""
        #include <dlfcn.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <time.h>
        #include <unistd.h>

        typedef void (*publish_fn)(const char *, const char *);
        #ifndef USE_DLOPEN
        void writer_publish(const char *, const char *);
        #endif

        static volatile unsigned long sink;

        static double now(void) {
            struct timespec t;
            clock_gettime(CLOCK_MONOTONIC, &t);
            return t.tv_sec + t.tv_nsec / 1e9;
        }

        __attribute__((noinline)) static void spin(double seconds) {
            double end = now() + seconds;
            while (now() < end)
                for (int i = 0; i < 1000; i++) sink += i;
        }

        static void work(double seconds) {
            double end = now() + seconds;
            while (now() < end) {
                spin(0.03);
                usleep(30000);
            }
        }

        static void ready(void) {
            printf("ready\n");
            fflush(stdout);
        }

        /* argv: trace-hex span-hex seconds [library [late]]. "late": ready first, the library 1 s later. */
        int main(int argc, char **argv) {
            if (argc < 4) return 2;
            int late = argc > 5 && strcmp(argv[5], "late") == 0;
            if (late) {
                ready();
                work(1.0);
            }
            publish_fn publish;
        #ifdef USE_DLOPEN
            void *library = dlopen(argv[4], RTLD_NOW);
            if (!library) { fprintf(stderr, "dlopen: %s\n", dlerror()); return 1; }
            publish = (publish_fn)dlsym(library, "writer_publish");
            if (!publish) return 1;
        #else
            publish = writer_publish;
        #endif
            publish(argv[1], argv[2]);
            if (!late) ready();
            work(atof(argv[3]));
            return 0;
        }
        """#

        /// Builds the program for `linkCase` in `directory`; returns the executable and its extra argument.
        static func build(_ linkCase: LinkCase, in directory: URL) throws -> (program: String, extra: [String]) {
            let gcc = try #require(TestEnvironment.findExecutable("gcc"), "gcc is needed to build the test program")
            try writerSource.write(to: directory.appendingPathComponent("writer.c"), atomically: true, encoding: .utf8)
            try mainSource.write(to: directory.appendingPathComponent("main.c"), atomically: true, encoding: .utf8)
            let dir = directory.path
            let program = dir + "/program", library = dir + "/libotelwriter.so"
            func compile(_ arguments: [String]) throws {
                let (status, output) = try TestEnvironment.run(gcc, arguments, directory: directory)
                guard status == 0 else { throw TestProgramError("failed to build the \(linkCase.rawValue) program: gcc \(arguments.joined(separator: " ")): \(output)") }
            }
            guard linkCase.isLibrary else {
                // The spec: the symbol must be in .dynsym even when the executable defines it.
                try compile(["-O1", "-o", program, "main.c", "writer.c", "-Wl,--export-dynamic-symbol=otel_thread_ctx_v1"])
                return (program, [])
            }
            try compile(["-O1", "-shared", "-fPIC"] + linkCase.libraryFlags + ["-o", library, "writer.c"])
            if linkCase.isDlopened {
                try compile(["-O1", "-DUSE_DLOPEN", "-o", program, "main.c", "-ldl"])
                return (program, linkCase == .dlopenLater ? [library, "late"] : [library])
            }
            try compile(["-O1", "-o", program, "main.c", "-L", dir, "-lotelwriter", "-Wl,-rpath," + dir])
            return (program, [])
        }

        /// Waits until the program's output file says "ready" (it has published its record).
        static func waitUntilReady(_ child: ChildProcess, output: String) throws {
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                if let text = try? String(contentsOfFile: output, encoding: .utf8), text.contains("ready") { return }
                if child.hasExited { break }
                usleep(20_000)
            }
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            throw TestProgramError("failed to start the test program: it printed \(text)")
        }

        static func samples(of pid: Int32, in profile: Profile) -> [Sample] {
            profile.samples.filter { $0.labels.pid == pid }
        }

        /// Kernel frames only, through do_exit: the process is exiting and its address space may be gone.
        static func inTeardown(_ sample: Sample, _ profile: Profile) -> Bool {
            let frames = profile.frames(ofStack: sample.stackID)
            return frames.allSatisfy { $0.kind == .kernel } && frames.contains { $0.name == "do_exit" }
        }

        static func randomHex(bytes: Int) -> String {
            (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 1...255)) }.joined()
        }

        @Test(.requiresRoot, arguments: LinkCase.allCases)
        func everySampleCarriesTheTraceID(linkCase: LinkCase) throws {
            try TestEnvironment.requireRoot()
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("otel-ctx-\(getpid())-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let (program, extra) = try Self.build(linkCase, in: directory)
            let traceHex = Self.randomHex(bytes: 16), spanHex = Self.randomHex(bytes: 8)
            let output = directory.appendingPathComponent("output.txt").path
            let child = try ChildProcess(program, [traceHex, spanHex, linkCase == .dlopenLater ? "5" : "3"] + extra, output: output, environment: linkCase.environment)
            defer { if !child.hasExited { child.signal(SIGKILL); _ = child.wait(seconds: 5) } }
            try Self.waitUntilReady(child, output: output)

            let location = try TraceContextLocator.locate(pid: child.pid)
            switch location {
            case nil: #expect(linkCase == .dlopenLater, "the variable was not found")
            case .threadPointer?: #expect(linkCase.isStaticTLS, "\(String(describing: location))")
            case .dynamicThreadVector?: #expect(!linkCase.isStaticTLS, "\(String(describing: location))")
            }

            let agent = Agent(config: AgentConfig(targets: .pids([child.pid]), hz: 199, kinds: [.cpu, .offcpu], unwind: .fp,
                                                  python: .off, durationSeconds: 15))
            try agent.start()
            let recording = agent.finish()  // ends when the program exits
            let traceID = try #require(TraceID(hex: traceHex)), spanID = try #require(SpanID(hex: spanHex))

            // A sample taken while the process exits, after the kernel dropped its address space
            // (do_exit -> exit_mm), has no user memory to read the context from: not counted.
            let cpuProfile = try #require(recording.profile(.cpu)), offProfile = try #require(recording.profile(.offcpu))
            let allCPU = Self.samples(of: child.pid, in: cpuProfile), allOff = Self.samples(of: child.pid, in: offProfile)
            let cpu = allCPU.filter { !Self.inTeardown($0, cpuProfile) }, offCPU = allOff.filter { !Self.inTeardown($0, offProfile) }
            let carries: (Sample) -> Bool = { $0.labels.traceID == traceID && $0.labels.spanID == spanID }
            let cpuWithID = cpu.filter(carries).count, offWithID = offCPU.filter(carries).count
            let teardown = allCPU.count - cpu.count + allOff.count - offCPU.count
            print("otel thread context [\(linkCase.rawValue)] at \(location.map { "\($0)" } ?? "none at the start"): trace id on \(cpuWithID) of \(cpu.count) CPU samples, \(offWithID) of \(offCPU.count) off-CPU intervals (\(teardown) in exit teardown not counted); \(recording.stats.summary)")
            for (sample, profile) in (cpu.map { ($0, cpuProfile) } + offCPU.map { ($0, offProfile) }).filter({ !carries($0.0) }).prefix(3) {
                print("a sample without the trace id: \(profile.frames(ofStack: sample.stackID).map(\.name).joined(separator: ";"))")
            }
            #expect(cpu.count >= 50, "too few CPU samples to judge: \(recording.stats.summary)")
            #expect(offCPU.count >= 20, "too few off-CPU intervals to judge: \(recording.stats.summary)")
            guard linkCase != .dlopenLater else {
                // 1 s without the library, then 5 s with it, found within the agent's next 1 s check
                // (without the retry: none at all).
                #expect(Double(cpuWithID) >= 0.5 * Double(cpu.count), "trace id on \(cpuWithID) of \(cpu.count) CPU samples")
                #expect(Double(offWithID) >= 0.5 * Double(offCPU.count), "trace id on \(offWithID) of \(offCPU.count) off-CPU intervals")
                return
            }
            #expect(cpuWithID == cpu.count, "trace id on \(cpuWithID) of \(cpu.count) CPU samples")
            #expect(offWithID == offCPU.count, "trace id on \(offWithID) of \(offCPU.count) off-CPU intervals")
        }
    }
}
