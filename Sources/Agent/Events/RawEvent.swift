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
    /// User stack bytes from the stack pointer upwards.
    var stackDump: [UInt8]
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

    /// Decodes an event; nil when the bytes are too short or of an unknown kind. Reads the fields in
    /// place (no copy of the ~20 KiB C struct): this runs for every event on the draining thread.
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
        default: return nil
        }
        let flags = u32(\.flags)
        let hasContext = flags & FLAMELAB_FLAG_TRACE_CONTEXT.rawValue != 0
        let hasRegisters = flags & FLAMELAB_FLAG_USER_REGS.rawValue != 0
        let dumpBytes = min(Int(u32(\.stack_dump_bytes)), bytes.count - headerSize)
        let pyCount = min(Int(u32(\.py.count)), Int(FLAMELAB_MAX_PY_FRAMES))
        let pyFrames = field(\.py.frames)
        let asyncCount = min(Int(u32(\.swift_async.count)), Int(FLAMELAB_MAX_SWIFT_ASYNC_FRAMES))
        return RawEvent(
            kind: kind,
            pid: Int32(bitPattern: u32(\.pid)),
            tid: Int32(bitPattern: u32(\.tid)),
            timeNs: u64(\.time_ns),
            value: u64(\.value),
            flags: flags,
            kernelStack: words(bytes, at: field(\.kstack), byteCount: Int(i32(\.kstack_bytes)), limit: Int(FLAMELAB_MAX_STACK_DEPTH)),
            userStack: words(bytes, at: field(\.ustack), byteCount: Int(i32(\.ustack_bytes)), limit: Int(FLAMELAB_MAX_STACK_DEPTH)),
            traceID: hasContext ? TraceID(bytes: bytes[field(\.trace_id)..<(field(\.trace_id) + 16)]) : nil,
            spanID: hasContext ? SpanID(bytes: bytes[field(\.span_id)..<(field(\.span_id) + 8)]) : nil,
            command: cString(bytes, at: field(\.comm), count: 16),
            registers: hasRegisters ? words(bytes, at: field(\.regs), byteCount: Int(FLAMELAB_DWARF_REGS) * 8, limit: Int(FLAMELAB_DWARF_REGS), keepZeros: true) : nil,
            stackDump: dumpBytes > 0 ? Array(bytes[headerSize..<(headerSize + dumpBytes)]) : [],
            pythonFrames: (0..<pyCount).map { index in
                bytes.loadUnaligned(fromByteOffset: pyFrames + index * MemoryLayout<flamelab_py_frame>.stride, as: flamelab_py_frame.self)
            },
            pythonStatus: u32(\.py.status),
            swiftAsyncResume: words(bytes, at: field(\.swift_async.resume), byteCount: asyncCount * 8, limit: asyncCount),
            swiftAsyncFuncletPC: u64(\.swift_async.funclet_pc),
            swiftAsyncTruncated: u32(\.swift_async.status) == FLAMELAB_SWIFT_ASYNC_TRUNCATED.rawValue
        )
    }

    private static func words(_ bytes: UnsafeRawBufferPointer, at offset: Int, byteCount: Int, limit: Int, keepZeros: Bool = false) -> [UInt64] {
        guard byteCount > 0 else { return [] }
        let count = min(byteCount / 8, limit)
        var result: [UInt64] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            let word = bytes.loadUnaligned(fromByteOffset: offset + index * 8, as: UInt64.self)
            if word != 0 || keepZeros { result.append(word) }
        }
        return result
    }

    private static func cString(_ bytes: UnsafeRawBufferPointer, at offset: Int, count: Int) -> String {
        String(decoding: bytes[offset..<(offset + count)].prefix { $0 != 0 }, as: UTF8.self)
    }
}
