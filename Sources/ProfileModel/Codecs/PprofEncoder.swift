import SwiftProtobuf

/// Writes one `Profile` as profile.proto (see `PprofCodec` for the mapping) through swift-protobuf's
/// generated types; flamelab's part is the mapping and the interning of strings, functions and locations.
struct PprofEncoder {
    private typealias Message = Perftools_Profiles_Profile

    private let profile: Profile
    private var strings: [String] = [""]
    private var stringIDs: [String: Int64] = ["": 0]
    // Label ids are interned by value: a repeated id then costs a hash of its words, not a hex
    // string built and hashed per sample (samples of one request share its trace and span).
    private var traceStringIDs: [TraceID: Int64] = [:]
    private var spanStringIDs: [SpanID: Int64] = [:]

    init(profile: Profile) { self.profile = profile }

    /// swift-protobuf writes a message's fields in field-number order. The hand-written writer this
    /// replaced wrote them in the order below (header, tables, samples, comments, the string table
    /// last), and the stored fixtures pin those bytes; protobuf defines concatenated encodings of a
    /// message as their merge, so each part is serialized alone and the parts are joined.
    mutating func encode() -> [UInt8] {
        var head = Self.serialize(headerPart())
        head += Self.serialize(timePart())
        let (functions, functionIDs) = functionPart()
        head += Self.serialize(functions)
        let (mappings, mappingIDs) = mappingPart()
        head += Self.serialize(mappings)
        head += Self.serialize(locationPart(functionIDs: functionIDs, mappingIDs: mappingIDs))
        // Each part's messages are freed once serialized: the samples' (the bulk) before the tail.
        let samples = Self.serialize(samplePart())
        var comments = Message()
        comments.comment = commentIDs()
        // The string table goes last: every other part interns into it first.
        var table = Message()
        table.stringTable = strings
        let tail = Self.serialize(comments) + Self.serialize(table)
        head.reserveCapacity(head.count + samples.count + tail.count)
        head += samples
        head += tail
        return head
    }

    /// profile.proto is proto3 without `Any` or required fields, so swift-protobuf's only failure left
    /// is its 2 GiB message limit, which `Gzip`'s decompression limit would refuse to read back anyway.
    private static func serialize(_ part: Message) -> [UInt8] {
        do {
            return try part.serializedBytes()
        } catch {
            preconditionFailure("pprof: swift-protobuf refused to serialize a profile part: \(error)")
        }
    }

    private mutating func id(_ s: String) -> Int64 {
        if let i = stringIDs[s] { return i }
        let i = Int64(strings.count)
        strings.append(s)
        stringIDs[s] = i
        return i
    }

    private mutating func id(_ trace: TraceID) -> Int64 {
        if let i = traceStringIDs[trace] { return i }
        let i = id(trace.hex)
        traceStringIDs[trace] = i
        return i
    }

    private mutating func id(_ span: SpanID) -> Int64 {
        if let i = spanStringIDs[span] { return i }
        let i = id(span.hex)
        spanStringIDs[span] = i
        return i
    }

    private var isCPU: Bool { profile.metadata.kind == .cpu }
    private var isMemory: Bool { profile.metadata.kind.isMemory }
    private var periodNs: Int64 { profile.metadata.hz > 0 ? 1_000_000_000 / Int64(profile.metadata.hz) : 0 }

    private mutating func valueType(_ type: String, _ unit: String) -> Perftools_Profiles_ValueType {
        var value = Perftools_Profiles_ValueType()
        value.type = id(type)
        value.unit = id(unit)
        return value
    }

    private mutating func headerPart() -> Message {
        var part = Message()
        if profile.metadata.kind.isMemory {
            // Go's heap profile names and units, one kind's pair: objects first, then space.
            let kind = profile.metadata.kind
            part.sampleType = [valueType(MemorySampleType.objects.pprofName(kind), "count"), valueType(MemorySampleType.space.pprofName(kind), "bytes")]
            part.periodType = valueType("space", "bytes")
            part.period = profile.metadata.allocationRateBytes ?? 0
            part.defaultSampleType = id(MemorySampleType.space.pprofName(kind))
            return part
        }
        part.sampleType = [valueType("samples", "count")]
        if isCPU {
            part.sampleType.append(valueType("cpu", "nanoseconds"))
            part.periodType = valueType("cpu", "nanoseconds")
            part.period = periodNs
        } else if profile.metadata.kind == .faults {
            // perf's event name; each sample is one record standing for `value` faults (its period).
            part.sampleType.append(valueType(PprofCodec.pageFaultsType, "count"))
            part.periodType = valueType(PprofCodec.pageFaultsType, "count")
            part.period = profile.metadata.faultPeriod ?? 0
            part.defaultSampleType = id(PprofCodec.pageFaultsType)
        } else {
            part.sampleType.append(valueType("off_cpu", "nanoseconds"))
            part.periodType = valueType("off_cpu", "nanoseconds")
            part.period = 1
            part.defaultSampleType = id("off_cpu")
        }
        return part
    }

    private func timePart() -> Message {
        let meta = profile.metadata
        var part = Message()
        part.timeNanos = Int64(truncatingIfNeeded: meta.startUnixNs)
        if meta.endUnixNs > meta.startUnixNs {
            part.durationNanos = Int64(truncatingIfNeeded: meta.endUnixNs - meta.startUnixNs)
        }
        return part
    }

    /// One Function per distinct (name, kind, file); also returns the function id of each frame.
    private mutating func functionPart() -> (Message, [UInt64]) {
        struct Key: Hashable { var name: String; var kind: FrameKind; var file: String }
        var ids: [Key: UInt64] = [:]
        var frameFunctionIDs: [UInt64] = []
        frameFunctionIDs.reserveCapacity(profile.frames.count)
        var part = Message()
        for frame in profile.frames {
            let key = Key(name: frame.name, kind: frame.kind, file: frame.file ?? "")
            if let existing = ids[key] {
                frameFunctionIDs.append(existing)
                continue
            }
            var function = Perftools_Profiles_Function()
            function.id = UInt64(ids.count + 1)
            function.name = id(frame.name)
            function.systemName = id(PprofCodec.kindPrefix + frame.kind.rawValue)
            function.filename = id(key.file)
            ids[key] = function.id
            frameFunctionIDs.append(function.id)
            part.function.append(function)
        }
        return (part, frameFunctionIDs)
    }

    /// One Mapping per module, in order of first use; also returns the mapping id of each module.
    private mutating func mappingPart() -> (Message, [String: UInt64]) {
        var ids: [String: UInt64] = [:]
        var part = Message()
        for frame in profile.frames where !frame.module.isEmpty && ids[frame.module] == nil {
            var mapping = Perftools_Profiles_Mapping()
            mapping.id = UInt64(ids.count + 1)
            mapping.filename = id(frame.module)
            mapping.hasFunctions_p = true
            ids[frame.module] = mapping.id
            part.mapping.append(mapping)
        }
        return (part, ids)
    }

    /// One Location per frame (id = frame index + 1), each with one Line.
    private func locationPart(functionIDs: [UInt64], mappingIDs: [String: UInt64]) -> Message {
        var part = Message()
        part.location.reserveCapacity(profile.frames.count)
        for (index, frame) in profile.frames.enumerated() {
            var line = Perftools_Profiles_Line()
            line.functionID = functionIDs[index]
            line.line = Int64(frame.line ?? 0)
            var location = Perftools_Profiles_Location()
            location.id = UInt64(index + 1)
            location.mappingID = mappingIDs[frame.module] ?? 0
            location.line = [line]
            part.location.append(location)
        }
        return part
    }

    private mutating func samplePart() -> Message {
        // Each stack's leaf-first location ids are built once; samples share the array (copy on write).
        let stackLocationIDs: [[UInt64]] = profile.stacks.map { stack in stack.reversed().map { UInt64($0) + 1 } }
        let keys = LabelKeys(trace: id("trace_id"), span: id("span_id"), pid: id("pid"), tid: id("tid"),
                             timestamp: id("timestamp_ns"), nanoseconds: id("nanoseconds"))
        let period = periodNs
        var part = Message()
        part.sample.reserveCapacity(profile.samples.count)
        for sample in profile.samples {
            var message = Perftools_Profiles_Sample()
            message.locationID = stackLocationIDs[sample.stackID]
            message.value = isMemory ? [sample.objects ?? 0, sample.value] : isCPU ? [sample.value, sample.value &* period] : [1, sample.value]
            message.label = labels(sample.labels, keys: keys)
            part.sample.append(message)
        }
        return part
    }

    /// String ids of the label keys and of the timestamp's unit.
    private struct LabelKeys {
        var trace, span, pid, tid, timestamp, nanoseconds: Int64
    }

    private mutating func labels(_ labels: SampleLabels, keys: LabelKeys) -> [Perftools_Profiles_Label] {
        guard labels != .none else { return [] }
        var result: [Perftools_Profiles_Label] = []
        result.reserveCapacity(5)  // one allocation per sample, not one per doubling
        if let trace = labels.traceID { result.append(Self.label(keys.trace, str: id(trace))) }
        if let span = labels.spanID { result.append(Self.label(keys.span, str: id(span))) }
        if let pid = labels.pid { result.append(Self.label(keys.pid, num: Int64(pid))) }
        if let tid = labels.tid { result.append(Self.label(keys.tid, num: Int64(tid))) }
        if let time = labels.timestampNs {
            result.append(Self.label(keys.timestamp, num: Int64(truncatingIfNeeded: time), unit: keys.nanoseconds))
        }
        return result
    }

    private static func label(_ key: Int64, str: Int64 = 0, num: Int64 = 0, unit: Int64 = 0) -> Perftools_Profiles_Label {
        var label = Perftools_Profiles_Label()
        label.key = key
        label.str = str
        label.num = num
        label.numUnit = unit
        return label
    }

    private mutating func commentIDs() -> [Int64] {
        let meta = profile.metadata
        var comments = ["hz=\(meta.hz)", "unwind=\(meta.unwindLabel)", "dropped=\(meta.dropped)"]
        if let service = meta.service { comments.append("service=\(service)") }
        if let version = meta.version { comments.append("version=\(version)") }
        if meta.monotonicStartNs > 0 { comments.append("monotonic_start_ns=\(meta.monotonicStartNs)") }
        if let rate = meta.allocationRateBytes { comments.append("alloc_rate=\(rate)") }
        return comments.map { id(PprofCodec.commentPrefix + $0) }
    }
}
