/// Writes one `Profile` as profile.proto (see `PprofCodec` for the mapping).
struct PprofEncoder {
    private let profile: Profile
    private var strings: [String] = [""]
    private var stringIDs: [String: Int] = ["": 0]
    private var out = ProtobufWriter()
    private var scratch = ProtobufWriter()

    init(profile: Profile) { self.profile = profile }

    mutating func encode() -> [UInt8] {
        out = ProtobufWriter(reservingCapacity: profile.samples.count * 24 + 4096)
        writeHeader()
        let functionIDs = writeFunctions()
        writeMappingsAndLocations(functionIDs: functionIDs)
        writeSamples()
        writeMetadataComments()
        // The string table goes last: every other part interns into it first.
        for s in strings { out.lengthDelimited(6, Array(s.utf8)) }
        return out.bytes
    }

    private mutating func id(_ s: String) -> UInt64 {
        if let i = stringIDs[s] { return UInt64(i) }
        strings.append(s)
        stringIDs[s] = strings.count - 1
        return UInt64(strings.count - 1)
    }

    private var isCPU: Bool { profile.metadata.kind == .cpu }
    private var periodNs: Int64 { profile.metadata.hz > 0 ? 1_000_000_000 / Int64(profile.metadata.hz) : 0 }

    private mutating func valueType(_ field: Int, _ type: String, _ unit: String) {
        scratch.removeAll()
        scratch.int64(1, Int64(id(type)))
        scratch.int64(2, Int64(id(unit)))
        out.lengthDelimited(field, scratch.bytes)
    }

    private mutating func writeHeader() {
        valueType(1, "samples", "count")
        if isCPU {
            valueType(1, "cpu", "nanoseconds")
            valueType(11, "cpu", "nanoseconds")
            out.int64(12, periodNs)
        } else {
            valueType(1, "off_cpu", "nanoseconds")
            valueType(11, "off_cpu", "nanoseconds")
            out.int64(12, 1)
            out.int64(14, Int64(id("off_cpu")))
        }
        let meta = profile.metadata
        out.int64(9, Int64(truncatingIfNeeded: meta.startUnixNs))
        if meta.endUnixNs > meta.startUnixNs {
            out.int64(10, Int64(truncatingIfNeeded: meta.endUnixNs - meta.startUnixNs))
        }
    }

    /// Writes one Function per distinct (name, kind, file); returns the function id of each frame.
    private mutating func writeFunctions() -> [UInt64] {
        struct Key: Hashable { var name: String; var kind: FrameKind; var file: String }
        var ids: [Key: UInt64] = [:]
        var result: [UInt64] = []
        result.reserveCapacity(profile.frames.count)
        for frame in profile.frames {
            let key = Key(name: frame.name, kind: frame.kind, file: frame.file ?? "")
            if let existing = ids[key] {
                result.append(existing)
                continue
            }
            let fid = UInt64(ids.count + 1)
            ids[key] = fid
            result.append(fid)
            scratch.removeAll()
            scratch.uint64(1, fid)
            scratch.int64(2, Int64(id(frame.name)))
            scratch.int64(3, Int64(id(PprofCodec.kindPrefix + frame.kind.rawValue)))
            scratch.int64(4, Int64(id(key.file)))
            out.lengthDelimited(5, scratch.bytes)
        }
        return result
    }

    private mutating func writeMappingsAndLocations(functionIDs: [UInt64]) {
        var mappingIDs: [String: UInt64] = [:]
        for frame in profile.frames where !frame.module.isEmpty && mappingIDs[frame.module] == nil {
            let mid = UInt64(mappingIDs.count + 1)
            mappingIDs[frame.module] = mid
            scratch.removeAll()
            scratch.uint64(1, mid)
            scratch.int64(5, Int64(id(frame.module)))
            scratch.bool(7, true)
            out.lengthDelimited(3, scratch.bytes)
        }
        var line = ProtobufWriter()
        for (index, frame) in profile.frames.enumerated() {
            line.removeAll()
            line.uint64(1, functionIDs[index])
            line.int64(2, Int64(frame.line ?? 0))
            scratch.removeAll()
            scratch.uint64(1, UInt64(index + 1))
            scratch.uint64(2, mappingIDs[frame.module] ?? 0)
            scratch.lengthDelimited(4, line.bytes)
            out.lengthDelimited(4, scratch.bytes)
        }
    }

    private mutating func writeSamples() {
        // Each stack's packed, leaf-first location ids are encoded once, not once per sample.
        let stackFields: [[UInt8]] = profile.stacks.map { stack in
            var w = ProtobufWriter()
            w.packed(1, stack.reversed().map { UInt64($0) + 1 })
            return w.bytes
        }
        let keys = LabelKeys(trace: id("trace_id"), span: id("span_id"), pid: id("pid"), tid: id("tid"),
                             timestamp: id("timestamp_ns"), nanoseconds: id("nanoseconds"))
        var label = ProtobufWriter()
        let period = periodNs
        var message = ProtobufWriter()
        for sample in profile.samples {
            message.removeAll()
            message.raw(stackFields[sample.stackID])
            if isCPU {
                message.packedPair(2, UInt64(bitPattern: sample.value), UInt64(bitPattern: sample.value &* period))
            } else {
                message.packedPair(2, 1, UInt64(bitPattern: sample.value))
            }
            writeLabels(sample.labels, keys: keys, into: &message, scratch: &label)
            out.lengthDelimited(2, message.bytes)
        }
    }

    private struct LabelKeys {
        var trace, span, pid, tid, timestamp, nanoseconds: UInt64
    }

    private mutating func writeLabels(_ labels: SampleLabels, keys: LabelKeys, into sample: inout ProtobufWriter,
                                      scratch label: inout ProtobufWriter) {
        if let trace = labels.traceID {
            label.removeAll(); label.uint64(1, keys.trace); label.uint64(2, id(trace.hex))
            sample.lengthDelimited(3, label.bytes)
        }
        if let span = labels.spanID {
            label.removeAll(); label.uint64(1, keys.span); label.uint64(2, id(span.hex))
            sample.lengthDelimited(3, label.bytes)
        }
        if let pid = labels.pid {
            label.removeAll(); label.uint64(1, keys.pid); label.int64(3, Int64(pid))
            sample.lengthDelimited(3, label.bytes)
        }
        if let tid = labels.tid {
            label.removeAll(); label.uint64(1, keys.tid); label.int64(3, Int64(tid))
            sample.lengthDelimited(3, label.bytes)
        }
        if let time = labels.timestampNs {
            label.removeAll(); label.uint64(1, keys.timestamp)
            label.int64(3, Int64(truncatingIfNeeded: time)); label.uint64(4, keys.nanoseconds)
            sample.lengthDelimited(3, label.bytes)
        }
    }

    private mutating func writeMetadataComments() {
        let meta = profile.metadata
        var comments = ["hz=\(meta.hz)", "unwind=\(meta.unwindLabel)", "dropped=\(meta.dropped)"]
        if let service = meta.service { comments.append("service=\(service)") }
        if let version = meta.version { comments.append("version=\(version)") }
        if meta.monotonicStartNs > 0 { comments.append("monotonic_start_ns=\(meta.monotonicStartNs)") }
        var ids: [UInt64] = []
        for c in comments { ids.append(id(PprofCodec.commentPrefix + c)) }
        out.packed(13, ids)
    }
}
