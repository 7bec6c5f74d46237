import CBPF
import ProfileModel
import Symbolize

/// One event of bpf/memory.bpf.c, decoded from the ring buffer's bytes (layout: bpf/memory.h).
enum MemoryEvent {
    /// A sampled allocation: its user stack (return addresses, the allocator's caller first).
    case alloc(pid: Int32, tid: Int32, allocator: AllocatorFunction?, timeNs: UInt64, size: UInt64,
               address: UInt64, tracked: Bool, userStack: [UInt64], traceID: TraceID?, spanID: SpanID?, python: [PythonRawFrame])
    /// A tracked address freed.
    case free(pid: Int32, address: UInt64)

    /// nil when the bytes are not a whole event of a known kind.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> MemoryEvent? {
        guard bytes.count >= 4 else { return nil }
        switch bytes.loadUnaligned(as: UInt32.self) {
        case FLAMELAB_MEM_EVENT_ALLOC.rawValue:
            // Without Python frames the event stops before `py` (FLAMELAB_MEM_ALLOC_NATIVE_SIZE).
            let whole = MemoryLayout<flamelab_mem_alloc_event>.size
            let native = MemoryLayout<flamelab_mem_alloc_event>.offset(of: \flamelab_mem_alloc_event.py)!
            guard bytes.count >= native else { return nil }
            var event = flamelab_mem_alloc_event()
            withUnsafeMutableBytes(of: &event) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes.prefix(min(bytes.count, whole)))) }
            let context = event.flags & FLAMELAB_MEM_FLAG_TRACE_CONTEXT.rawValue != 0
            return .alloc(pid: Int32(bitPattern: event.pid), tid: Int32(bitPattern: event.tid),
                          allocator: AllocatorFunction(allocatorID: event.allocator), timeNs: event.time_ns, size: event.size,
                          address: event.address, tracked: event.flags & FLAMELAB_MEM_FLAG_TRACKED.rawValue != 0,
                          userStack: userStack(event),
                          traceID: context ? withUnsafeBytes(of: event.trace_id) { TraceID(bytes: $0) } : nil,
                          spanID: context ? withUnsafeBytes(of: event.span_id) { SpanID(bytes: $0) } : nil,
                          python: pythonFrames(event.py))
        case FLAMELAB_MEM_EVENT_FREE.rawValue:
            guard bytes.count >= MemoryLayout<flamelab_mem_free_event>.size else { return nil }
            let event = bytes.loadUnaligned(as: flamelab_mem_free_event.self)
            return .free(pid: Int32(bitPattern: event.pid), address: event.address)
        default:
            return nil
        }
    }

    /// The CPython frames, leaf first, as the resolver takes them.
    private static func pythonFrames(_ stack: flamelab_py_stack) -> [PythonRawFrame] {
        let count = min(Int(stack.count), Int(FLAMELAB_MAX_PY_FRAMES))
        return withUnsafeBytes(of: stack.frames) { raw in
            raw.bindMemory(to: flamelab_py_frame.self).prefix(count).map {
                PythonRawFrame(code: $0.code, firstLineNumber: $0.first_lineno, lasti: $0.lasti, group: $0.group)
            }
        }
    }

    /// The stack's addresses (bpf_get_stack's byte count; a negative count is an empty stack).
    private static func userStack(_ event: flamelab_mem_alloc_event) -> [UInt64] {
        let count = max(0, min(Int(event.ustack_bytes) / 8, Int(FLAMELAB_MEM_MAX_STACK_DEPTH)))
        return withUnsafeBytes(of: event.ustack) { raw in
            Array(raw.bindMemory(to: UInt64.self).prefix(count)).filter { $0 != 0 }
        }
    }
}
