import Agent
import Foundation
import LabRuntime
import ProfileModel
import FlamelabTesting
import Testing

extension AgentBPFTests {
    /// Programs built as most people build them, without frame pointers (`gcc -O2
    /// -fomit-frame-pointer`, plain `swiftc -O`), whose off-CPU leaf is in glibc (`usleep` ->
    /// `clock_nanosleep`): the default unwinding must reach `main` in CPU and off-CPU samples as often
    /// as `perf record --call-graph dwarf` does, with no flag; the frame-pointer walk alone loses it.
    @Suite(.serialized)
    struct FramelessProgramTests {
        static let hz = 199
        static let seconds = 3.0

        @Test(.requiresRoot) func cWithoutFramePointersReachesMainByDefault() throws {
            try TestEnvironment.requireRoot()
            let program = try FramelessProgram.c()
            try Self.checkDefaultModeReachesMain(program)
        }

        @Test(.requiresRoot) func swiftWithoutFramePointersReachesMainByDefault() throws {
            try TestEnvironment.requireRoot()
            let program = try FramelessProgram.swift()
            try Self.checkDefaultModeReachesMain(program)
        }

        /// A program that keeps its frame pointers, waiting in glibc (`usleep`, no frame pointer): auto
        /// copies only the stack below the frame record rbp points to, unwinds glibc's frames with DWARF
        /// and continues with the frame-pointer walk, and still reaches `main`.
        @Test(.requiresRoot) func cWithFramePointersJoinsBoundedCopiesToTheWalk() throws {
            try TestEnvironment.requireRoot()
            let program = try FramelessProgram.c(framePointers: true)
            let process = try ChildProcess(program.executable, [], output: "/dev/null")
            defer { process.signal(SIGKILL); _ = process.wait(seconds: 5) }
            usleep(300_000)
            let agent = Agent(config: AgentConfig(targets: .pids([process.pid]), hz: Self.hz, kinds: [.cpu, .offcpu], unwind: .standard, python: .off, durationSeconds: Self.seconds))
            let recording = try agent.record()
            let offCPU = try #require(recording.profile(.offcpu))
            let (share, count) = Self.shareReachingMain(offCPU)
            print("c-with-fp: off-CPU reaching main \(Self.percent(share)) of \(count); \(recording.stats.summary)")
            #expect(count > 100, "\(recording.stats.summary)")
            #expect(share >= 0.95, "\(recording.stats.summary)")
            #expect(recording.stats.joinedStacks >= count * 9 / 10, "\(recording.stats.summary)")
        }

        static func checkDefaultModeReachesMain(_ program: FramelessProgram) throws {
            let process = try ChildProcess(program.executable, [], output: "/dev/null")
            defer { process.signal(SIGKILL); _ = process.wait(seconds: 5) }
            usleep(300_000)
            let standard = try record(pid: process.pid, unwind: .standard)
            let framePointers = try record(pid: process.pid, unwind: .fp)
            let directory = FileManager.default.temporaryDirectory.path
            let perfRecordings = try [nil, "sched:sched_switch"].map {
                try PerfCallChainRecording(tool: .perfDwarf, pid: process.pid, event: $0, hz: hz, seconds: seconds, directory: directory)
            }
            let perfCPU = try perfRecordings[0].shareReaching("main").share
            let perfOffCPU = try perfRecordings[1].shareReaching("main").share
            let line = "\(program.name): reaching main — default cpu \(percent(standard.cpu)) off-cpu \(percent(standard.offCPU)); "
                + "fp cpu \(percent(framePointers.cpu)) off-cpu \(percent(framePointers.offCPU)); "
                + "perf --call-graph dwarf cpu \(percent(perfCPU)) off-cpu \(percent(perfOffCPU))"
            print(line)
            #expect(standard.cpuSamples > 100, "\(line)")
            #expect(standard.offCPUSamples > 100, "\(line)")
            // As complete as perf's DWARF unwinding, within two points.
            #expect(standard.cpu >= perfCPU - 0.02, "\(line)")
            #expect(standard.offCPU >= perfOffCPU - 0.02, "\(line)")
            #expect(standard.cpu >= 0.95 && standard.offCPU >= 0.95, "\(line)")
            // The test can tell: frame pointers alone lose the callers of this program.
            #expect(framePointers.cpu < 0.5 || framePointers.offCPU < 0.5, "\(line)")
        }

        struct Completeness {
            var cpu = 0.0, offCPU = 0.0
            var cpuSamples = 0, offCPUSamples = 0
        }

        static func record(pid: Int32, unwind: UnwindMode) throws -> Completeness {
            let agent = Agent(config: AgentConfig(targets: .pids([pid]), hz: hz, kinds: [.cpu, .offcpu], unwind: unwind, python: .off, durationSeconds: seconds))
            let recording = try agent.record()
            var result = Completeness()
            if let cpu = recording.profile(.cpu) { (result.cpu, result.cpuSamples) = shareReachingMain(cpu) }
            if let offCPU = recording.profile(.offcpu) { (result.offCPU, result.offCPUSamples) = shareReachingMain(offCPU) }
            return result
        }

        /// The share of samples (counted, not weighted) whose stack holds `main`.
        static func shareReachingMain(_ profile: Profile) -> (Double, Int) {
            let reaching = profile.samples.filter { sample in profile.frames(ofStack: sample.stackID).contains { $0.name == "main" } }.count
            return (Double(reaching) / Double(max(profile.samples.count, 1)), profile.samples.count)
        }

        static func percent(_ share: Double) -> String { String(format: "%.1f%%", share * 100) }
    }
}
