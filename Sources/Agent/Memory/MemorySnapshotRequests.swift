import Foundation
import ProfileModel

/// Requests for a memory profile of the run so far, made from any thread and served by the draining
/// thread (which alone touches the memory recorder) at its next pass. Once the draining thread has
/// ended, pending and new requests are answered nil, so no caller waits forever.
final class MemorySnapshotRequests: @unchecked Sendable {
    /// One request: its kind, and its answer once served. `@unchecked Sendable`: `profile` is written
    /// before `done` is signalled and read after it.
    private final class Request: @unchecked Sendable {
        let kind: ProfileKind
        var profile: Profile?
        let done = DispatchSemaphore(value: 0)
        init(kind: ProfileKind) { self.kind = kind }
    }

    private let lock = NSLock()
    private var pending: [Request] = []
    private var closed = false

    /// Queues a request for `kind`, calls `wake` so the draining thread comes round, and waits for the answer.
    func request(_ kind: ProfileKind, wake: () -> Void) -> Profile? {
        let request = Request(kind: kind)
        let accepted = lock.withLock { () -> Bool in
            if closed { return false }
            pending.append(request)
            return true
        }
        guard accepted else { return nil }
        wake()
        request.done.wait()
        return request.profile
    }

    /// Draining thread: answers every pending request with `build(kind)`.
    func serve(_ build: (ProfileKind) -> Profile?) {
        let requests = lock.withLock { () -> [Request] in
            defer { pending.removeAll() }
            return pending
        }
        for request in requests {
            request.profile = build(request.kind)
            request.done.signal()
        }
    }

    /// Draining thread, on its way out: answers what is pending with nil and refuses the rest.
    func close() {
        let requests = lock.withLock { () -> [Request] in
            closed = true
            defer { pending.removeAll() }
            return pending
        }
        for request in requests { request.done.signal() }
    }
}
