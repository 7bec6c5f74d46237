import ProfileModel

/// The packed form of one window's samples, so that a sample costs a few bytes, not a row:
///
/// - `stacks`: the store stack ids the window uses, as varints; samples refer to them by position.
/// - `contexts`: the window's distinct (trace id, span id) pairs (16 + 8 bytes each, span zero when
///   absent) and its distinct (pid, tid) threads; samples refer to them by position.
/// - `samples`: per sample, in the order given (time order from the agent), a varint head
///   `stack << 3 | hasContext << 2 | hasValue << 1 | hasTime`, then the zigzag delta of its time from
///   the previous sample's, its value when it is not 1, its context's position, and its thread's
///   position + 1 (0: none). The whole is deflated.
/// - Memory windows (`withObjects`) carry a second value after the first: the sample's allocation
///   count (zigzag varint), always present. Only memory windows have it, and the store held none
///   before it, so older windows decode unchanged.
///
/// At the lab's load this is ~5-8 bytes per sample before deflate; a row per sample was 73 bytes.
struct WindowCodec {
    /// One sample as the codec sees it: a window-local stack position and its labels.
    struct Entry: Equatable {
        var stack: Int
        var value: Int64
        /// Memory windows: the allocations behind `value` bytes.
        var objects: Int64? = nil
        var traceID: TraceID?
        var spanID: SpanID?
        var pid: Int32?
        var tid: Int32?
        var timestampNs: UInt64?
    }

    private struct ThreadKey: Hashable {
        var pid: Int32?
        var tid: Int32?
    }

    /// The three blobs of a window.
    struct Packed: Equatable {
        var stacks: [UInt8]
        var contexts: [UInt8]
        var samples: [UInt8]
    }

    private struct Context: Hashable {
        var trace: TraceID?
        var span: SpanID?
    }

    /// Packs `entries` whose stacks are positions in `storeStacks`.
    static func pack(storeStacks: [Int64], entries: [Entry], withObjects: Bool = false) throws -> Packed {
        var stacks: [UInt8] = []
        Varint.append(UInt64(storeStacks.count), to: &stacks)
        for id in storeStacks { Varint.append(UInt64(bitPattern: id), to: &stacks) }
        var contextIndex = FirstSeenIndex<Context>(), threadIndex = FirstSeenIndex<ThreadKey>()
        var samples: [UInt8] = []
        samples.reserveCapacity(entries.count * 6)
        var previousTime: Int64 = 0
        for entry in entries {
            let context = Context(trace: entry.traceID, span: entry.spanID)
            let hasContext = entry.traceID != nil || entry.spanID != nil
            let hasValue = entry.value != 1
            let hasTime = entry.timestampNs != nil
            let head = UInt64(entry.stack) << 3 | (hasContext ? 4 : 0) | (hasValue ? 2 : 0) | (hasTime ? 1 : 0)
            Varint.append(head, to: &samples)
            if let time = entry.timestampNs {
                let t = Int64(bitPattern: time)
                Varint.appendSigned(t &- previousTime, to: &samples)
                previousTime = t
            }
            if hasValue { Varint.appendSigned(entry.value, to: &samples) }
            if withObjects { Varint.appendSigned(entry.objects ?? 0, to: &samples) }
            if hasContext {
                let index = contextIndex.position(of: context)
                Varint.append(UInt64(index), to: &samples)
            }
            if entry.pid != nil || entry.tid != nil {
                let thread = ThreadKey(pid: entry.pid, tid: entry.tid)
                let index = threadIndex.position(of: thread)
                Varint.append(UInt64(index + 1), to: &samples)
            } else {
                Varint.append(0, to: &samples)
            }
        }
        var contexts: [UInt8] = []
        Varint.append(UInt64(contextIndex.values.count), to: &contexts)
        for context in contextIndex.values {
            contexts += context.trace?.bytes ?? [UInt8](repeating: 0, count: 16)
            contexts += context.span?.bytes ?? [UInt8](repeating: 0, count: 8)
        }
        Varint.append(UInt64(threadIndex.values.count), to: &contexts)
        for thread in threadIndex.values {
            Varint.appendSigned(thread.pid.map(Int64.init) ?? -1, to: &contexts)
            Varint.appendSigned(thread.tid.map(Int64.init) ?? -1, to: &contexts)
        }
        return Packed(stacks: stacks, contexts: contexts, samples: try Gzip.compress(samples))
    }

    /// Why a window's blobs could not be read.
    struct Malformed: Error {
        var what: String
    }

    /// The store stack ids of a packed window.
    static func storeStacks(_ blob: [UInt8]) throws -> [Int64] {
        var reader = Varint.Reader(blob)
        guard let count = reader.next(), count <= UInt64(blob.count) else { throw Malformed(what: "stack list") }
        return try (0..<Int(count)).map { _ in
            guard let id = reader.next() else { throw Malformed(what: "stack list") }
            return Int64(bitPattern: id)
        }
    }

    /// The trace ids a window's contexts hold (to skip windows without a wanted one undecoded).
    static func traceIDs(_ blob: [UInt8]) throws -> [TraceID?] {
        try contexts(blob).contexts.map(\.0)
    }

    static func contexts(_ blob: [UInt8]) throws -> (contexts: [(TraceID?, SpanID?)], threads: [(pid: Int32?, tid: Int32?)]) {
        var reader = Varint.Reader(blob)
        guard let count = reader.next(), count <= UInt64(blob.count) / 24 + 1 else { throw Malformed(what: "context list") }
        var contexts: [(TraceID?, SpanID?)] = []
        for _ in 0..<Int(count) {
            guard let trace = reader.take(16), let span = reader.take(8) else { throw Malformed(what: "context list") }
            contexts.append((TraceID(bytes: trace), SpanID(bytes: span)))
        }
        guard let threadCount = reader.next(), threadCount <= UInt64(blob.count) else { throw Malformed(what: "thread list") }
        let threads = try (0..<Int(threadCount)).map { _ -> (pid: Int32?, tid: Int32?) in
            guard let pid = reader.nextSigned(), let tid = reader.nextSigned() else { throw Malformed(what: "thread list") }
            return (pid < 0 ? nil : Int32(truncatingIfNeeded: pid), tid < 0 ? nil : Int32(truncatingIfNeeded: tid))
        }
        return (contexts, threads)
    }

    /// Calls `body` for every sample of a packed window, in stored order.
    static func unpack(_ packed: Packed, withObjects: Bool = false, _ body: (Entry) throws -> Void) throws {
        let (contexts, threads) = try contexts(packed.contexts)
        let stackCount = try storeStacks(packed.stacks).count
        let bytes: [UInt8]
        do { bytes = try Gzip.decompress(packed.samples) } catch { throw Malformed(what: "sample block (\(error))") }
        var reader = Varint.Reader(bytes)
        var time: Int64 = 0
        while !reader.isAtEnd {
            guard let head = reader.next() else { throw Malformed(what: "sample head") }
            var entry = Entry(stack: Int(head >> 3), value: 1)
            guard entry.stack < stackCount else { throw Malformed(what: "sample stack \(entry.stack) of \(stackCount)") }
            if head & 1 != 0 {
                guard let delta = reader.nextSigned() else { throw Malformed(what: "sample time") }
                time &+= delta
                entry.timestampNs = UInt64(bitPattern: time)
            }
            if head & 2 != 0 {
                guard let value = reader.nextSigned() else { throw Malformed(what: "sample value") }
                entry.value = value
            }
            if withObjects {
                guard let objects = reader.nextSigned() else { throw Malformed(what: "sample objects") }
                entry.objects = objects
            }
            if head & 4 != 0 {
                guard let index = reader.next(), index < UInt64(contexts.count) else { throw Malformed(what: "sample context") }
                (entry.traceID, entry.spanID) = contexts[Int(index)]
            }
            guard let thread = reader.next(), thread <= UInt64(threads.count) else { throw Malformed(what: "sample thread") }
            if thread > 0 { (entry.pid, entry.tid) = threads[Int(thread - 1)] }
            try body(entry)
        }
    }
}
