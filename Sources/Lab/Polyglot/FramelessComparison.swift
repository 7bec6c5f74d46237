import Agent
import Foundation
import LabRuntime
import ProfileModel

/// Stack completeness on programs nobody tuned for profiling: a C and a Swift program built without
/// frame pointers (`gcc -O2 -fomit-frame-pointer`, plain `swiftc -O`), whose CPU leaf is their own
/// loop and whose off-CPU leaf is glibc's `clock_nanosleep`. flamelab in its default mode and in fp
/// mode, `perf --call-graph dwarf` and `perf -g` sample the same process over the same seconds; the
/// figure is the share of samples whose stack reaches `main`.
struct FramelessComparison {
    /// One profiler on one program, CPU and off-CPU.
    struct Row: Codable, Sendable {
        let program: String
        let build: String
        let profiler: String
        var cpuSamples = 0
        var cpuReachingMainPercent = 0.0
        var offCPUSamples = 0
        var offCPUReachingMainPercent = 0.0
        var error: String?
    }

    let seconds: Double
    let hz: Int

    static let flamelabDefault = "flamelab (default: \(UnwindMode.standard.rawValue))"
    static let flamelabFramePointers = "flamelab --unwind fp"

    /// Builds both programs in `directory`, then measures each.
    func run(directory: String, progress: ProgressLine) throws -> [Row] {
        let programs = try [FramelessProgram.c(in: directory), FramelessProgram.swift(in: directory)]
        return programs.flatMap { program in
            progress.update("polyglot: \(program.name) under flamelab, perf dwarf and perf -g (\(Int(seconds)) s)")
            return measure(program, directory: directory)
        }
    }

    private func measure(_ program: FramelessProgram, directory: String) -> [Row] {
        let failed = { (error: Error) in
            [Self.flamelabDefault, Self.flamelabFramePointers, PeerTool.perfDwarf.rawValue, PeerTool.perfFramePointer.rawValue].map {
                Row(program: program.name, build: program.buildCommand, profiler: $0, error: "\(error)")
            }
        }
        let process: ChildProcess
        do { process = try ChildProcess(program.executable, [], output: "/dev/null") } catch { return failed(error) }
        defer { process.signal(SIGKILL); _ = process.wait(seconds: 5) }
        usleep(300_000)
        let agents = [UnwindMode.standard, .fp].map { mode in
            Agent(config: AgentConfig(targets: .pids([process.pid]), hz: hz, kinds: [.cpu, .offcpu], unwind: mode, python: .off, durationSeconds: nil))
        }
        do {
            for agent in agents {
                try agent.start()
                agent.waitUntilPrepared()
            }
        } catch { return failed(error) }
        let peers = [PeerTool.perfDwarf, .perfFramePointer].map { tool in
            ([nil, "sched:sched_switch"] as [String?]).map { event in
                Result { try PerfCallChainRecording(tool: tool, pid: process.pid, event: event, hz: hz, seconds: seconds, directory: directory) }
            }
        }
        Thread.sleep(forTimeInterval: seconds)
        var rows = zip([Self.flamelabDefault, Self.flamelabFramePointers], agents).map { name, agent in
            agent.requestStop()
            return Self.row(program, profiler: name, recording: agent.finish())
        }
        for (tool, recordings) in zip([PeerTool.perfDwarf, .perfFramePointer], peers) {
            rows.append(Self.row(program, profiler: tool.rawValue, cpu: recordings[0], offCPU: recordings[1]))
        }
        return rows
    }

    private static func row(_ program: FramelessProgram, profiler: String, recording: AgentRecording) -> Row {
        var row = Row(program: program.name, build: program.buildCommand, profiler: profiler)
        if let cpu = recording.profile(.cpu) { (row.cpuReachingMainPercent, row.cpuSamples) = reachingMain(cpu) }
        if let offCPU = recording.profile(.offcpu) { (row.offCPUReachingMainPercent, row.offCPUSamples) = reachingMain(offCPU) }
        return row
    }

    private static func row(_ program: FramelessProgram, profiler: String, cpu: Result<PerfCallChainRecording, Error>,
                            offCPU: Result<PerfCallChainRecording, Error>) -> Row {
        var row = Row(program: program.name, build: program.buildCommand, profiler: profiler)
        do {
            let cpuShare = try cpu.get().shareReaching("main"), offCPUShare = try offCPU.get().shareReaching("main")
            (row.cpuReachingMainPercent, row.cpuSamples) = (cpuShare.share * 100, cpuShare.samples)
            (row.offCPUReachingMainPercent, row.offCPUSamples) = (offCPUShare.share * 100, offCPUShare.samples)
        } catch {
            row.error = "\(error)"
        }
        return row
    }

    /// The percentage of samples (counted, not weighted) whose stack holds `main`, and the sample count.
    static func reachingMain(_ profile: Profile) -> (Double, Int) {
        let reaching = profile.samples.filter { sample in profile.frames(ofStack: sample.stackID).contains { $0.name == "main" } }.count
        return (Double(reaching) * 100 / Double(max(profile.samples.count, 1)), profile.samples.count)
    }

    /// The Markdown section: one table, then what it shows.
    static func markdown(_ rows: [Row], hz: Int, seconds: Double) -> String {
        var text = "## Programs built without frame pointers\n\n"
        text += "Each program runs alone; flamelab in its default mode and in fp mode, `perf record --call-graph dwarf` and `perf record -g` sample it over the same \(Int(seconds)) s "
        text += "(CPU at \(hz) Hz; off-CPU: flamelab's blocked intervals, perf's `sched:sched_switch` hits). Figure: the share of samples whose stack reaches `main`.\n\n"
        text += "| program | build | profiler | CPU samples | CPU reaching main | off-CPU samples | off-CPU reaching main |\n|---|---|---|---|---|---|---|\n"
        for row in rows {
            if let error = row.error {
                text += "| \(row.program) | `\(row.build)` | \(row.profiler) | failed: \(error) | | | |\n"
            } else {
                text += "| \(row.program) | `\(row.build)` | \(row.profiler) | \(row.cpuSamples) | \(String(format: "%.1f%%", row.cpuReachingMainPercent)) | "
                    + "\(row.offCPUSamples) | \(String(format: "%.1f%%", row.offCPUReachingMainPercent)) |\n"
            }
        }
        return text
    }

    /// Programs where flamelab's default mode reaches `main` less often than perf dwarf (by more than
    /// two points), CPU or off-CPU; empty when it keeps up everywhere.
    static func shortfalls(_ rows: [Row]) -> [String] {
        Dictionary(grouping: rows, by: \.program).sorted { $0.key < $1.key }.compactMap { program, rows in
            guard let ours = rows.first(where: { $0.profiler == flamelabDefault }), ours.error == nil else { return "\(program): flamelab failed" }
            guard let perf = rows.first(where: { $0.profiler == PeerTool.perfDwarf.rawValue }), perf.error == nil else { return "\(program): perf dwarf failed" }
            let short = ours.cpuReachingMainPercent < perf.cpuReachingMainPercent - 2 || ours.offCPUReachingMainPercent < perf.offCPUReachingMainPercent - 2
                || ours.cpuSamples == 0 || ours.offCPUSamples == 0
            return short ? String(format: "%@: flamelab %.1f%%/%.1f%% vs perf dwarf %.1f%%/%.1f%% (cpu/off-cpu)", program, ours.cpuReachingMainPercent,
                                  ours.offCPUReachingMainPercent, perf.cpuReachingMainPercent, perf.offCPUReachingMainPercent) : nil
        }
    }
}
