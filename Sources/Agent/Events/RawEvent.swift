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
    var traceID: String?
    var spanID: String?
    var command: String
    /// The 17 DWARF-ordered user registers, when the BPF side copied them.
    var registers: [UInt64]?
    /// User stack bytes from the stack pointer upwards.
    var stackDump: [UInt8]
    /// CPython frames, leaf first, as read by the walker.
    var pythonFrames: [flamelab_py_frame]
    var pythonStatus: UInt32

    var hasTornContext: Bool { flags & FLAMELAB_FLAG_TORN_CONTEXT.rawValue != 0 }
    var isKernelThread: Bool { flags & FLAMELAB_FLAG_KERNEL_THREAD.rawValue != 0 }

    /// Decodes an event; nil when the bytes are too short or of an unknown kind.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> RawEvent? {
        let headerSize = Int(cbpf_event_header_size())
        guard bytes.count >= headerSize else { return nil }
        var event = flamelab_event()
        withUnsafeMutableBytes(of: &event) { destination in
            destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<headerSize]))
        }
        let kind: ProfileKind
        switch event.kind {
        case FLAMELAB_EVENT_CPU.rawValue: kind = .cpu
        case FLAMELAB_EVENT_OFFCPU.rawValue: kind = .offcpu
        default: return nil
        }
        let hasContext = event.flags & FLAMELAB_FLAG_TRACE_CONTEXT.rawValue != 0
        let hasRegisters = event.flags & FLAMELAB_FLAG_USER_REGS.rawValue != 0
        let dumpBytes = min(Int(event.stack_dump_bytes), bytes.count - headerSize)
        let pyCount = min(Int(event.py.count), Int(FLAMELAB_MAX_PY_FRAMES))
        return RawEvent(
            kind: kind,
            pid: Int32(bitPattern: event.pid),
            tid: Int32(bitPattern: event.tid),
            timeNs: event.time_ns,
            value: event.value,
            flags: event.flags,
            kernelStack: addresses(event.kstack, byteCount: event.kstack_bytes),
            userStack: addresses(event.ustack, byteCount: event.ustack_bytes),
            traceID: hasContext ? hex(event.trace_id) : nil,
            spanID: hasContext ? hex(event.span_id) : nil,
            command: cString(event.comm),
            registers: hasRegisters ? withUnsafeBytes(of: event.regs) { Array($0.bindMemory(to: UInt64.self)) } : nil,
            stackDump: dumpBytes > 0 ? Array(bytes[headerSize..<(headerSize + dumpBytes)]) : [],
            pythonFrames: withUnsafeBytes(of: event.py.frames) { Array($0.bindMemory(to: flamelab_py_frame.self).prefix(pyCount)) },
            pythonStatus: event.py.status
        )
    }

    private static func addresses<T>(_ tuple: T, byteCount: Int32) -> [UInt64] {
        guard byteCount > 0 else { return [] }
        return withUnsafeBytes(of: tuple) { raw in
            let all = raw.bindMemory(to: UInt64.self)
            return Array(all.prefix(min(all.count, Int(byteCount) / 8))).filter { $0 != 0 }
        }
    }

    private static func hex<T>(_ tuple: T) -> String? {
        withUnsafeBytes(of: tuple) { raw in
            if raw.allSatisfy({ $0 == 0 }) { return nil }
            return raw.map { byte in
                let digits = Array("0123456789abcdef")
                return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
            }.joined()
        }
    }

    private static func cString<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
