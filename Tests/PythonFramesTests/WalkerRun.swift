import ProfileModel
import CPythonWalkTest
import Foundation
import Symbolize

/// One recording: the walker's events and, when py-spy is there, py-spy's counts over the same seconds.
struct WalkerRun {
    struct PySpyCounts {
        var total = 0
        var hotA = 0
        var hotB = 0
    }

    var events: [pywalk_event]
    var drops: UInt64
    var pySpy: PySpyCounts?
    /// Mean run time (ns) of the CPU program over all its runs (also those for other processes, which
    /// return at the pid filter), walker included, from BPF run-time stats; nil when off.
    var nanosecondsPerSample: Double?
    /// Runs of the CPU program and their total time (ns).
    var programRuns: UInt64 = 0
    var programNanoseconds: UInt64 = 0

    /// Samples `info.pid` for `seconds`. `register: false` leaves the process out of flamelab_py_procs, so
    /// the programs run without walking (the baseline of the walker's own cost).
    static func record(info: PythonProcessInfo, hz: UInt64, seconds: Double, pySpy: String?, register: Bool = true) throws -> WalkerRun {
        var message = [CChar](repeating: 0, count: 512)
        let error = { FlamelabError(String(cString: message)) }
        guard let session = pywalk_open(TestPaths.walkerObject.path, UInt32(info.pid), &message, message.count) else { throw error() }
        defer { pywalk_close(session) }
        var offsets = flamelab_py_offsets(info.walkerOffsets)
        guard !register || pywalk_register(session, UInt32(info.pid), info.runtimeAddress, &offsets, &message, message.count) == 0,
              pywalk_attach_cpu(session, hz, &message, message.count) == 0,
              pywalk_attach_offcpu(session, &message, message.count) == 0 else { throw error() }
        let spy = try pySpy.map { try PySpyRecording(executable: $0, pid: info.pid, seconds: seconds) }
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            guard pywalk_poll(session, 100, &message, message.count) >= 0 else { throw error() }
        }
        var runs: UInt64 = 0
        var runTime: UInt64 = 0
        let stats = pywalk_program_stats(session, "pywalk_cpu", &runs, &runTime) == 0 && runs > 0
        pywalk_detach(session)
        guard pywalk_poll(session, 0, &message, message.count) >= 0 else { throw error() }
        let counts = try spy?.finish()
        var events: [pywalk_event] = []
        for index in 0..<pywalk_event_count(session) {
            if let event = pywalk_event_at(session, index) { events.append(event.pointee) }
        }
        return WalkerRun(events: events, drops: pywalk_drops(session), pySpy: counts,
                         nanosecondsPerSample: stats ? Double(runTime) / Double(runs) : nil,
                         programRuns: runs, programNanoseconds: runTime)
    }
}

/// py-spy record --format raw in its default (blocking) mode over the same window; counted by function.
/// Not `--nonblocking`: that mode reads the frame chain while it changes, and on 3.12 it lost the leaf
/// frames of 454 of 3944 samples (stacks ending in run()), mostly on the map() -> 計算_b path, which put
/// hot_a at 77.7% against 75.9% blocking and 75.7% by the script's own thread CPU time. The short pauses
/// of blocking mode are uniform in time, so they do not bend the split flamelab measures meanwhile.
struct PySpyRecording {
    /// py-spy's rate: enough samples that its share's 95% interval is about +-1.2 points over 15 s.
    static let hz = 400
    let process = Process()
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("pyframes-pyspy-\(UUID().uuidString).txt")

    init(executable: String, pid: Int32, seconds: Double) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["record", "--pid", "\(pid)", "--duration", "\(Int(seconds))", "--rate", "\(PySpyRecording.hz)",
                             "--format", "raw", "-o", output.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    func finish() throws -> WalkerRun.PySpyCounts {
        process.waitUntilExit()
        defer { try? FileManager.default.removeItem(at: output) }
        let text = try String(contentsOf: output, encoding: .utf8)
        var counts = WalkerRun.PySpyCounts()
        for line in text.split(separator: "\n") {
            guard let space = line.lastIndex(of: " "), let count = Int(line[line.index(after: space)...]) else { continue }
            let names = line[..<space].split(separator: ";").map { frame in
                frame.range(of: " (").map { String(frame[..<$0.lowerBound]) } ?? String(frame)
            }
            counts.total += count
            if names.contains("hot_a") { counts.hotA += count }
            if names.contains("Küche.計算_b") { counts.hotB += count }
        }
        return counts
    }
}

extension flamelab_py_offsets {
    /// The walker's offsets as bpf/python.h lays them out (the agent has the same mapping over CBPF).
    init(_ offsets: PythonWalkerOffsets) {
        self.init(
            runtime_tstate_current: offsets.runtimeTstateCurrent, runtime_interpreters_head: offsets.runtimeInterpretersHead,
            interp_next: offsets.interpNext, interp_threads_head: offsets.interpThreadsHead, tstate_next: offsets.tstateNext,
            tstate_native_thread_id: offsets.tstateNativeThreadID, tstate_frame: offsets.tstateFrame,
            cframe_current_frame: offsets.cframeCurrentFrame, frame_code: offsets.frameCode, frame_instr: offsets.frameInstr,
            frame_previous: offsets.framePrevious, frame_owner: offsets.frameOwner, frame_is_entry: offsets.frameIsEntry,
            frame_owner_cstack: offsets.frameOwnerCStack, code_firstlineno: offsets.codeFirstLineNumber,
            code_code_adaptive: offsets.codeCodeAdaptive, code_unit_size: offsets.codeUnitSize, version_hex: offsets.versionHex)
    }
}
