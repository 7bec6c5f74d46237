import CBPF
import Foundation
import ProfileModel
import Symbolize

/// Turns ring-buffer events into unsymbolized samples, on the draining thread, while the processes
/// are alive: DWARF unwinding needs their maps, so it happens here, not at the end.
final class SampleRecorder {
    struct RecordedSample {
        let kind: ProfileKind
        /// Index into `stacks`.
        let stack: Int
        let value: Int64
        let labels: SampleLabels
    }

    private(set) var stacks: [StackKey] = []
    /// Named Python frames (leaf first, with their eval-loop group) per stack, resolved when the stack
    /// first appears: names are read from the live process.
    private(set) var pythonFrames: [Int: [(frame: Frame, group: Int)]] = [:]
    private var stackIndex: [StackKey: Int] = [:]
    private(set) var samples: [RecordedSample] = []
    private(set) var counts = RecorderCounts()
    /// Every live process seen in an event, with its command name: its main thread's `comm`, read
    /// when it is first seen (an event carries the sampled thread's name, `NIO-ELT-0-#1`), or the
    /// event's when the process is already gone.
    private(set) var processes: [Int32: String] = [:]
    /// Processes seen so far, those forgotten included.
    private(set) var processesSeen = 0
    /// Called on the draining thread the first time a process appears in an event.
    var onNewProcess: ((Int32) -> Void)?
    /// Called on the draining thread, once per process, when a bounded stack copy could not be joined
    /// to the frame-pointer walk: the process needs full copies.
    var onBoundedStackUnjoinable: ((Int32) -> Void)?
    private var fullStackRequested: Set<Int32> = []

    private let unwind: UnwindMode
    private let unwinder: DwarfUnwinder?
    /// Names Python frames; nil when the Python walker is off.
    let pythonResolver: PythonFrameResolver?

    init(unwind: UnwindMode, python: PythonMode, crossCheckDwarf: Bool = false) {
        self.unwind = unwind
        unwinder = unwind == .fp ? nil : DwarfUnwinder()
        unwinder?.crossCheck = crossCheckDwarf
        pythonResolver = python == .auto ? PythonFrameResolver() : nil
    }

    /// How the DWARF samples were unwound (compiled rules or libdwfl); zero in FP mode.
    var dwarfUnwindCounts: DwarfUnwindCounts { unwinder?.counts ?? DwarfUnwindCounts() }

    /// The first disagreements between compiled rules and libdwfl when cross-checking.
    var dwarfCrossCheckMismatchExamples: [String] { unwinder?.crossCheckMismatchExamples ?? [] }

    /// Builds the DWARF unwinding session of `pid` now; safe from any thread (the unwinder locks).
    func prepareUnwinding(pid: Int32) {
        unwinder?.prepare(pid: pid)
    }

    /// Snapshots what `pid` needs for unwinding while it is alive (draining thread or before it runs).
    func prepare(pid: Int32) {
        unwinder?.prepare(pid: pid)
    }

    /// Records one event; `bytes`, the ring-buffer record it was decoded from (valid during this
    /// call), holds its stack copy (`RawEvent.stackDumpRange`), unwound in place.
    func record(_ event: RawEvent, bytes: UnsafeRawBufferPointer? = nil) {
        if processes[event.pid] == nil {
            processes[event.pid] = Self.mainThreadName(event.pid) ?? event.command
            processesSeen += 1
            onNewProcess?(event.pid)
        }
        let key = StackKey(
            pid: event.pid, kernel: event.kernelStack, user: userStack(of: event, bytes: bytes),
            python: event.pythonFrames.map { PythonRawFrame(code: $0.code, firstLineNumber: $0.first_lineno, lasti: $0.lasti, group: $0.group) },
            swiftAsyncResume: event.swiftAsyncResume, swiftAsyncFuncletPC: event.swiftAsyncResume.isEmpty ? 0 : event.swiftAsyncFuncletPC,
            swiftAsyncTruncated: !event.swiftAsyncResume.isEmpty && event.swiftAsyncTruncated
        )
        let stack: Int
        if let known = stackIndex[key] {
            stack = known
        } else {
            stack = stacks.count
            stacks.append(key)
            stackIndex[key] = stack
            if let pythonResolver, !key.python.isEmpty {
                pythonFrames[stack] = pythonResolver.resolveGrouped(pid: key.pid, frames: key.python)
            }
        }
        let labels = SampleLabels(traceID: event.traceID, spanID: event.spanID, pid: event.pid, tid: event.tid, timestampNs: event.timeNs)
        samples.append(RecordedSample(kind: event.kind, stack: stack, value: Int64(clamping: event.value), labels: labels))
        counts.count(event)
        if !event.pythonFrames.isEmpty { counts.withPythonFrames += 1 }
        if !event.swiftAsyncResume.isEmpty { counts.withSwiftAsyncCallers += 1 }
    }

    private static func mainThreadName(_ pid: Int32) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8) else { return nil }
        let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return name.isEmpty ? nil : name
    }

    func countUndecodable() {
        counts.undecodable += 1
    }

    /// Removes and returns the samples taken before `monotonicNs` (the rest stay for the next
    /// window): with the ring buffer drained first, every sample lands in exactly one window.
    func takeSamples(before monotonicNs: UInt64) -> [RecordedSample] {
        var taken: [RecordedSample] = [], kept: [RecordedSample] = []
        taken.reserveCapacity(samples.count)
        for sample in samples {
            if (sample.labels.timestampNs ?? 0) < monotonicNs { taken.append(sample) } else { kept.append(sample) }
        }
        samples = kept
        return taken
    }

    /// Keeps only the stacks the pending samples use, so that a continuous recording's tables hold
    /// one window's stacks, not every stack since start (call after the window's profiles are built).
    func compactStacks() {
        var kept: [StackKey] = [], keptIndex: [StackKey: Int] = [:], keptPython: [Int: [(frame: Frame, group: Int)]] = [:]
        var remap: [Int: Int] = [:]
        samples = samples.map { sample in
            let index: Int
            if let known = remap[sample.stack] {
                index = known
            } else {
                index = kept.count
                let key = stacks[sample.stack]
                kept.append(key)
                keptIndex[key] = index
                keptPython[index] = pythonFrames[sample.stack]
                remap[sample.stack] = index
            }
            return RecordedSample(kind: sample.kind, stack: index, value: sample.value, labels: sample.labels)
        }
        stacks = kept
        stackIndex = keptIndex
        pythonFrames = keptPython
    }

    /// Drops what is kept for processes that exited: their DWARF sessions, their entry in `processes` (a reused pid is then prepared afresh).
    func forget(pids: Set<Int32>) {
        for pid in pids {
            processes[pid] = nil
            fullStackRequested.remove(pid)
            unwinder?.forget(pid: pid)
        }
        pythonResolver?.forget(pids: pids)
    }

    private func userStack(of event: RawEvent, bytes: UnsafeRawBufferPointer?) -> [UInt64] {
        guard let registers = event.registers, let unwinder, !event.isKernelThread else {
            if !event.userStack.isEmpty { counts.framePointerStacks += 1 }
            return event.userStack
        }
        if unwind == .auto,
           !FramePointerPolicy.needsDwarf(stack: event.userStack, framePointerKept: { unwinder.framePointerKept(pid: event.pid, pc: $0) }) {
            counts.framePointerStacks += 1
            return event.userStack
        }
        let pcs = Self.withStackDump(of: event, in: bytes) { stack in
            unwinder.unwind(pid: event.pid, registers: registers, stack: stack, stackPointer: registers[Int(FLAMELAB_REG_RSP.rawValue)])
        }
        if event.hasBoundedStack { return joined(pcs, event: event, unwinder: unwinder) }
        // An unwind that found less than the FP walk (no CFI, stack copy cut short) keeps the FP walk.
        guard !pcs.isEmpty, pcs.count >= min(event.userStack.count, 2) else {
            counts.dwarfFailures += 1
            return event.userStack
        }
        counts.dwarfStacks += 1
        return pcs
    }

    /// Calls `body` with the event's stack copy: in place in `bytes` when decoded from them (no copy
    /// of up to 16 KiB per sample), else the event's own array.
    private static func withStackDump<R>(of event: RawEvent, in bytes: UnsafeRawBufferPointer?,
                                         _ body: (UnsafeRawBufferPointer) -> R) -> R {
        if let bytes, !event.stackDumpRange.isEmpty, event.stackDumpRange.upperBound <= bytes.count {
            return body(UnsafeRawBufferPointer(rebasing: bytes[event.stackDumpRange]))
        }
        return event.stackDump.withUnsafeBytes(body)
    }

    /// The DWARF frames of a bounded copy followed by the frame-pointer walk beyond them; when they
    /// cannot be joined, the DWARF frames alone (right, but they end early) and full copies from now on.
    private func joined(_ pcs: [UInt64], event: RawEvent, unwinder: DwarfUnwinder) -> [UInt64] {
        if let stack = FramePointerPolicy.join(dwarf: pcs, framePointers: event.userStack,
                                               framePointerKept: { unwinder.framePointerKept(pid: event.pid, pc: $0) }) {
            counts.dwarfStacks += 1
            counts.joinedStacks += 1
            return stack
        }
        if fullStackRequested.insert(event.pid).inserted { onBoundedStackUnjoinable?(event.pid) }
        counts.dwarfFailures += 1
        return pcs.isEmpty ? event.userStack : pcs
    }
}

/// What the recorder saw, for the run's statistics.
struct RecorderCounts {
    var cpuSamples = 0
    /// Page-fault samples, and the faults they stand for (the sum of their periods).
    var faultSamples = 0
    var faults: UInt64 = 0
    var offCPUIntervals = 0
    var offCPUNanoseconds: UInt64 = 0
    var withTraceContext = 0
    var framePointerStacks = 0
    var dwarfStacks = 0
    var dwarfFailures = 0
    /// DWARF stacks from a bounded copy, completed by the frame-pointer walk.
    var joinedStacks = 0
    var undecodable = 0
    var withPythonFrames = 0
    var withSwiftAsyncCallers = 0

    mutating func count(_ event: RawEvent) {
        switch event.kind {
        case .cpu: cpuSamples += 1
        case .offcpu:
            offCPUIntervals += 1
            offCPUNanoseconds &+= event.value
        case .faults:
            faultSamples += 1
            faults &+= event.value
        case .alloc, .inuse: break  // memory events have their own ring buffer (MemoryRecorder)
        }
        if event.traceID != nil { withTraceContext += 1 }
    }
}
