import Foundation
import ProfileModel

/// The CPUs the lab's own threads may run on. A measurement that pins its workload to one CPU keeps the
/// lab (and the children it starts, which inherit the mask) off that CPU, so their wake-ups do not land
/// between the workload's instructions.
public enum CPUAffinity {
    /// Restricts every thread of this process to every online CPU except `cpu`, runs `body`, and gives
    /// the threads all online CPUs back. With one CPU there is nowhere else to go: `body` just runs.
    public static func keepingOff<T>(cpu: Int, _ body: () throws -> T) throws -> T {
        let count = ProcessInfo.processInfo.activeProcessorCount
        guard count > 1 else { return try body() }
        try setForAllThreads((0..<count).filter { $0 != cpu })
        defer { try? setForAllThreads(Array(0..<count)) }
        return try body()
    }

    /// `taskset -a`: sched_setaffinity is per thread, and Swift's Glibc does not import it (it needs
    /// _GNU_SOURCE).
    private static func setForAllThreads(_ cpus: [Int]) throws {
        let list = cpus.map(String.init).joined(separator: ",")
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("flamelab-taskset-\(getpid()).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let taskset = try ChildProcess(ExecutablePath.find("taskset") ?? "/usr/bin/taskset", ["-a", "-p", "-c", list, "\(getpid())"], output: log)
        guard taskset.wait(seconds: 10), taskset.exitStatus == 0 else {
            taskset.signal(SIGKILL)
            let reason = (try? String(contentsOfFile: log, encoding: .utf8)) ?? "no output"
            throw FlamelabError.failed("set", "the lab's CPU affinity to \(list)", "taskset: \(reason.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }
}
