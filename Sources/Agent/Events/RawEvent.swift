import CBPF
import ProfileModel

/// One event from the ring buffer, copied out of BPF's layout (`struct flamelab_event`).
struct RawEvent {
    var kind: ProfileKind
    var pid: Int32
    var tid: Int32
    var timeNs: UInt64
    var value: UInt64
    var flags: UInt32
    /// Kernel return addresses, leaf first (empty when bpf_get_stack failed).
    var kernelStack: [UInt64]
    /// User addresses from the frame-pointer walk, leaf first.
    var userStack: [UInt64]
    var traceID: TraceID?
    var spanID: SpanID?
    var command: String
    /// The 17 DWARF-ordered user registers, when the BPF side copied them.
    var registers: [UInt64]?
    /// User stack bytes from the stack pointer upwards, when copied (tests). `decode` leaves it empty
    /// and records `stackDumpRange` instead: the copy is read in place while the event is handled.
    var stackDump: [UInt8]
    /// Where the stack copy lies in the bytes the event was decoded from (empty when not decoded).
    var stackDumpRange: Range<Int> = 0..<0
    /// CPython frames, leaf first, as read by the walker.
    var pythonFrames: [flamelab_py_frame]
    var pythonStatus: UInt32
    /// Swift async callers' resume functions, innermost caller first, and the pc of the funclet whose
    /// context they were read from (empty and 0 when the sample was not in a funclet).
    var swiftAsyncResume: [UInt64] = []
    var swiftAsyncFuncletPC: UInt64 = 0
    /// The chain was longer than FLAMELAB_MAX_SWIFT_ASYNC_FRAMES: the outermost callers are missing.
    var swiftAsyncTruncated = false

    var hasTornContext: Bool { flags & FLAMELAB_FLAG_TORN_CONTEXT.rawValue != 0 }
    var isKernelThread: Bool { flags & FLAMELAB_FLAG_KERNEL_THREAD.rawValue != 0 }
    /// The stack copy stops at the frame record rbp pointed to (auto mode): join its unwind to the FP walk.
    var hasBoundedStack: Bool { flags & FLAMELAB_FLAG_BOUNDED_STACK.rawValue != 0 }

    /// Decodes an event; nil when the bytes are too short for what its header announces, or of an
    /// unknown kind. Reads the fields in place: this runs for every event on the draining thread.
    /// The variable part holds the stack copy, the kernel and user stacks, the CPython frames and the
    /// Swift async callers, in that order, each as long as its header field says (profiler.h).
    static func decode(_ bytes: UnsafeRawBufferPointer) -> RawEvent? {
        let headerSize = Int(cbpf_event_header_size())
        guard bytes.count >= headerSize else { return nil }
        func field<T>(_ path: KeyPath<flamelab_event, T>) -> Int { MemoryLayout<flamelab_event>.offset(of: path)! }
        func u32(_ path: KeyPath<flamelab_event, UInt32>) -> UInt32 { bytes.loadUnaligned(fromByteOffset: field(path), as: UInt32.self) }
        func u64(_ path: KeyPath<flamelab_event, UInt64>) -> UInt64 { bytes.loadUnaligned(fromByteOffset: field(path), as: UInt64.self) }
        func i32(_ path: KeyPath<flamelab_event, Int32>) -> Int32 { bytes.loadUnaligned(fromByteOffset: field(path), as: Int32.self) }
        let kind: ProfileKind
        switch u32(\.kind) {
        case FLAMELAB_EVENT_CPU.rawValue: kind = .cpu
        case FLAMELAB_EVENT_OFFCPU.rawValue: kind = .offcpu
        case FLAMELAB_EVENT_FAULT.rawValue: kind = .faults
        default: return nil
        }
        let flags = u32(\.flags)
        let hasContext = flags & FLAMELAB_FLAG_TRACE_CONTEXT.rawValue != 0
        let hasRegisters = flags & FLAMELAB_FLAG_USER_REGS.rawValue != 0
        let frameSize = MemoryLayout<flamelab_py_frame>.stride
        var layout = DataLayout(start: headerSize)
        let dump = layout.take(Int(u32(\.stack_dump_bytes)))
        let kernel = layout.take(max(Int(i32(\.kstack_bytes)), 0))
        let user = layout.take(max(Int(i32(\.ustack_bytes)), 0))
        let python = layout.take(Int(u32(\.py_count)) * frameSize)
        let async = layout.take(Int(u32(\.swift_async_count)) * 8)
        guard layout.end <= bytes.count, layout.end - headerSize == Int(u32(\.data_bytes)) else { return nil }
        return RawEvent(
            kind: kind,
            pid: Int32(bitPattern: u32(\.pid)),
            tid: Int32(bitPattern: u32(\.tid)),
            timeNs: u64(\.time_ns),
            value: u64(\.value),
            flags: flags,
            kernelStack: words(bytes, in: kernel),
            userStack: words(bytes, in: user),
            traceID: hasContext ? TraceID(bytes: UnsafeRawBufferPointer(rebasing: bytes[field(\.trace_id)..<(field(\.trace_id) + 16)])) : nil,
            spanID: hasContext ? SpanID(bytes: UnsafeRawBufferPointer(rebasing: bytes[field(\.span_id)..<(field(\.span_id) + 8)])) : nil,
            command: cString(bytes, at: field(\.comm), count: 16),
            registers: hasRegisters ? words(bytes, in: field(\.regs)..<(field(\.regs) + Int(FLAMELAB_DWARF_REGS) * 8), keepZeros: true) : nil,
            stackDump: [],
            stackDumpRange: dump,
            pythonFrames: stride(from: python.lowerBound, to: python.upperBound, by: frameSize).map { offset in
                bytes.loadUnaligned(fromByteOffset: offset, as: flamelab_py_frame.self)
            },
            pythonStatus: u32(\.py_status),
            swiftAsyncResume: words(bytes, in: async),
            swiftAsyncFuncletPC: u64(\.swift_async_funclet_pc),
            swiftAsyncTruncated: u32(\.swift_async_status) == FLAMELAB_SWIFT_ASYNC_TRUNCATED.rawValue
        )
    }

    /// Consecutive sections of an event's variable part.
    private struct DataLayout {
        var end: Int
        init(start: Int) { end = start }
        mutating func take(_ count: Int) -> Range<Int> {
            defer { end += count }
            return end..<(end + count)
        }
    }

    /// The 8-byte words in `range`; zeros dropped unless `keepZeros` (a zero return address ends a stack).
    private static func words(_ bytes: UnsafeRawBufferPointer, in range: Range<Int>, keepZeros: Bool = false) -> [UInt64] {
        var result: [UInt64] = []
        result.reserveCapacity(range.count / 8)
        for offset in stride(from: range.lowerBound, to: range.upperBound - 7, by: 8) {
            let word = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            if word != 0 || keepZeros { result.append(word) }
        }
        return result
    }

    private static func cString(_ bytes: UnsafeRawBufferPointer, at offset: Int, count: Int) -> String {
        String(decoding: bytes[offset..<(offset + count)].prefix { $0 != 0 }, as: UTF8.self)
    }
}
