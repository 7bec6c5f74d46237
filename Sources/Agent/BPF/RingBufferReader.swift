import ProfileModel
import CBPF
import Foundation

/// Drains the BPF ring buffer, handing each event's bytes to `handler` on the polling thread.
final class RingBufferReader {
    private var ring: OpaquePointer?
    private let handler: (UnsafeRawBufferPointer) -> Void

    init(fd: Int32, handler: @escaping (UnsafeRawBufferPointer) -> Void) throws {
        self.handler = handler
        ring = ring_buffer__new(fd, { context, data, size in
            guard let context, let data else { return 0 }
            let reader = Unmanaged<RingBufferReader>.fromOpaque(context).takeUnretainedValue()
            reader.handler(UnsafeRawBufferPointer(start: data, count: size))
            return 0
        }, Unmanaged.passUnretained(self).toOpaque(), nil)
        guard ring != nil else { throw FlamelabError("failed to create the ring buffer reader: \(errno)") }
    }

    deinit {
        ring_buffer__free(ring)
    }

    /// Handles every event already in the buffer without waiting.
    @discardableResult
    func consume() -> Int32 {
        ring_buffer__consume(ring)
    }
}
