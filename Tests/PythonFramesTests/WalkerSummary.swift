import CPythonWalkTest
import ProfileModel
import Symbolize

/// What the walker's events say once resolved: the figures the sampling test checks and prints.
struct WalkerSummary {
    var cpuSamples = 0
    var mainThreadSamples = 0
    var named = 0
    var ordered = 0
    var hotA = 0
    var hotB = 0
    /// Samples in hot_a whose frames are all group 0 (Python->Python calls share one eval loop).
    var hotAOneGroup = 0
    /// Samples in 計算_b where 計算_b is group 0 and run() group 1 (map() re-entered the eval loop).
    var hotBTwoGroups = 0
    var hotAFrames = 0
    var hotAOnCallLine = 0
    var offCPUSamples = 0
    var offCPUNapSamples = 0
    /// Off-CPU samples of the second thread, blocked in wait_in_thread() (found through the thread list).
    var offCPUWaiterSamples = 0
    var statuses: [UInt32: Int] = [:]
    var groups: Set<Int> = []
    var resolverStatistics = PythonFrameResolver.Statistics()


    init(run: WalkerRun, info: PythonProcessInfo) {
        let resolver = PythonFrameResolver()
        resolver.register(info)
        for var event in run.events {
            let raw = WalkerSummary.rawFrames(of: &event)
            let frames = resolver.resolveGrouped(pid: info.pid, frames: raw)
            let names = frames.map(\.frame.name)
            statuses[event.python.status, default: 0] += 1
            groups.formUnion(frames.map(\.group))
            if event.kind == PYWALK_KIND_OFFCPU {
                offCPUSamples += 1
                if names.first == "nap" { offCPUNapSamples += 1 }
                if names.first == "wait_in_thread", event.tid != event.pid { offCPUWaiterSamples += 1 }
                continue
            }
            cpuSamples += 1
            if names.contains(where: { $0 != Frame.unknownPythonName }) { named += 1 }
            // The split and the stack shape are about the main thread; the waiter wakes only briefly.
            guard event.tid == event.pid else { continue }
            mainThreadSamples += 1
            if names.suffix(3) == ["run", "main", "<module>"] { ordered += 1 }
            let group = { (name: String) in frames.first { $0.frame.name == name }?.group }
            if names.contains(CPUSplitScript.hotA) {
                hotA += 1
                if frames.allSatisfy({ $0.group == 0 }) { hotAOneGroup += 1 }
            }
            if names.contains(CPUSplitScript.hotB) {
                hotB += 1
                if group(CPUSplitScript.hotB) == 0, group("run") == 1 { hotBTwoGroups += 1 }
            }
            for entry in frames where entry.frame.name == CPUSplitScript.hotA {
                hotAFrames += 1
                if entry.frame.line == CPUSplitScript.hotACallLine { hotAOnCallLine += 1 }
            }
        }
        resolverStatistics = resolver.statistics
    }

    static func rawFrames(of event: inout pywalk_event) -> [PythonRawFrame] {
        let count = Int(min(event.python.count, UInt32(FLAMELAB_MAX_PY_FRAMES)))
        return withUnsafeBytes(of: &event.python.frames) { buffer in
            buffer.bindMemory(to: flamelab_py_frame.self).prefix(count).map { frame in
                PythonRawFrame(code: frame.code, firstLineNumber: frame.first_lineno, lasti: frame.lasti, group: frame.group)
            }
        }
    }

    var namedShare: Double { Double(named) / Double(max(1, cpuSamples)) }
    var orderedShare: Double { Double(ordered) / Double(max(1, mainThreadSamples)) }
    var hotALineShare: Double { Double(hotAOnCallLine) / Double(max(1, hotAFrames)) }
    var hotAGroupShare: Double { Double(hotAOneGroup) / Double(max(1, hotA)) }
    var hotBGroupShare: Double { Double(hotBTwoGroups) / Double(max(1, hotB)) }
    var shareA: Double { Double(hotA) / Double(max(1, hotA + hotB)) }

    var report: String {
        let statusText = statuses.keys.sorted().map { "\($0):\(statuses[$0]!)" }.joined(separator: " ")
        return "cpu samples \(cpuSamples), with Python names \(named) (\(namedShare)), ordered \(ordered), "
            + "hot_a \(hotA), 計算_b \(hotB), share \(shareA), hot_a on its call line \(hotAOnCallLine)/\(hotAFrames), "
            + "grouped right: hot_a \(hotAOneGroup)/\(hotA), 計算_b \(hotBTwoGroups)/\(hotB), "
            + "off-cpu \(offCPUSamples) (nap \(offCPUNapSamples), waiter thread \(offCPUWaiterSamples)), statuses \(statusText), groups \(groups.sorted()), "
            + "resolver \(resolverStatistics)"
    }
}
