import ProfileModel
import Foundation
import LabRuntime

/// Every thread's exact CPU time of one process at one instant, from /proc/PID/task/TID/schedstat
/// (nanoseconds on CPU and waiting on a run queue: the scheduler's own sums, not tick samples, so
/// they cannot alias with a periodic function the way tick accounting can).
public struct ThreadSchedSnapshot: Sendable, Codable {
    public struct Thread: Sendable, Codable {
        public var tid: Int32
        public var name: String
        public var runNs: UInt64
        public var waitNs: UInt64
    }

    /// CLOCK_MONOTONIC when read (the clock BPF's bpf_ktime_get_ns uses).
    public var monotonicNs: UInt64
    public var threads: [Int32: Thread]

    /// The thread that used the most CPU between `earlier` and `self`: in an idle service with the
    /// janitor on, the janitor (Foundation threads on Linux carry no name of their own).
    public func busiestThread(since earlier: ThreadSchedSnapshot) -> Int32? {
        threads.max { a, b in
            a.value.runNs &- (earlier.threads[a.key]?.runNs ?? 0) < b.value.runNs &- (earlier.threads[b.key]?.runNs ?? 0)
        }?.key
    }

    /// Reads every thread of `pid`. Throws `failed to read ...` when the process is gone.
    public static func read(pid: Int32) throws -> ThreadSchedSnapshot {
        let now = MonotonicClock.nanoseconds()
        let taskDir = "/proc/\(pid)/task"
        guard let tids = try? FileManager.default.contentsOfDirectory(atPath: taskDir) else {
            throw FlamelabError("failed to read \(taskDir): process \(pid) is gone or not readable")
        }
        var threads: [Int32: Thread] = [:]
        for entry in tids {
            guard let tid = Int32(entry),
                  let stat = try? String(contentsOfFile: "\(taskDir)/\(entry)/schedstat", encoding: .utf8) else { continue }
            let fields = stat.split(separator: " ").compactMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            guard fields.count >= 2 else { continue }
            let name = (try? String(contentsOfFile: "\(taskDir)/\(entry)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            threads[tid] = Thread(tid: tid, name: name, runNs: fields[0], waitNs: fields[1])
        }
        return ThreadSchedSnapshot(monotonicNs: now, threads: threads)
    }

    /// CPU and run-queue time between `earlier` and `self`, split into thread `tid` (the janitor) and the rest.
    public func delta(since earlier: ThreadSchedSnapshot, thread tid: Int32?) -> SchedDelta {
        var delta = SchedDelta()
        for (threadID, thread) in threads {
            let before = earlier.threads[threadID]
            let run = thread.runNs &- (before?.runNs ?? 0)
            let wait = thread.waitNs &- (before?.waitNs ?? 0)
            if threadID == tid {
                delta.namedRunNs += run
            } else {
                delta.otherRunNs += run
                delta.otherWaitNs += wait
            }
        }
        return delta
    }
}

/// CPU time over one interval: one thread (the janitor) against the others.
public struct SchedDelta: Sendable, Codable {
    public var namedRunNs: UInt64 = 0
    public var otherRunNs: UInt64 = 0
    /// Run-queue wait of the other threads: time they were runnable but another task had the CPU.
    public var otherWaitNs: UInt64 = 0

    public var processRunNs: UInt64 { namedRunNs + otherRunNs }

    /// The fraction of runnable time the other threads were really on CPU. A function timed by wall
    /// clock (counters, uprobes) also counts the preemptions that fall inside it; with preemption
    /// uniform in time, multiplying by this fraction turns its wall time into CPU time.
    public var otherOnCPUFraction: Double {
        let runnable = otherRunNs + otherWaitNs
        return runnable == 0 ? 1 : Double(otherRunNs) / Double(runnable)
    }
}
