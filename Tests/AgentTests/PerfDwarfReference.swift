import Foundation
import LabRuntime

/// `perf record --call-graph dwarf` on the same process: the reference for stack completeness.
enum PerfDwarfReference {
    /// The share of perf's samples of `pid` whose call chain holds `main`, over `seconds`: CPU samples
    /// at `hz` when `event` is nil, else every hit of that event (e.g. `sched:sched_switch`, off-CPU).
    static func shareReachingMain(pid: Int32, event: String?, hz: Int, seconds: Double) throws -> Double {
        let perf = "/usr/bin/perf"
        guard FileManager.default.isExecutableFile(atPath: perf) else { throw TestProgramError("failed to find \(perf): apt-get install linux-perf") }
        let directory = FileManager.default.temporaryDirectory.path
        let data = "\(directory)/flamelab-perf-dwarf-\(getpid()).data", script = data + ".txt"
        defer { try? FileManager.default.removeItem(atPath: data); try? FileManager.default.removeItem(atPath: script) }
        let source = event.map { ["-e", $0] } ?? ["-F", "\(hz)"]
        let record = try ChildProcess(perf, ["record", "-q", "--call-graph", "dwarf"] + source + ["-p", "\(pid)", "-o", data, "--", "sleep", "\(seconds)"], output: "/dev/null")
        guard record.wait(seconds: seconds + 60), record.exitStatus == 0 else { throw TestProgramError("failed to run perf record on pid \(pid): exit \(record.exitStatus ?? -1)") }
        let report = try ChildProcess(perf, ["script", "-i", data, "-F", "comm,ip,sym"], output: script, errors: "/dev/null")
        guard report.wait(seconds: 120), report.exitStatus == 0 else { throw TestProgramError("failed to run perf script on \(data)") }
        let text = try String(contentsOfFile: script, encoding: .utf8)
        // One block per sample: a header line, then one indented `address symbol` line per frame, then a
        // blank line.
        let blocks = text.components(separatedBy: "\n\n").filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        let reaching = blocks.filter { block in
            block.split(separator: "\n").dropFirst().contains { line in
                let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                return fields.count >= 2 && fields[1] == "main"
            }
        }.count
        return Double(reaching) / Double(max(blocks.count, 1))
    }
}
