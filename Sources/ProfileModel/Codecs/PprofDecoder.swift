import SwiftProtobuf

/// Reads profile.proto bytes (already un-gzipped) into a `Profile`.
///
/// swift-protobuf parses the wire format into the generated types; this maps them onto the model.
/// profile.proto refers to strings, functions, mappings and locations by index or id, so the tables
/// are resolved before the samples. Every id and string index is checked; errors name the field path.
struct PprofDecoder {
    private let bytes: [UInt8]
    private var message = Perftools_Profiles_Profile()
    /// Set when CPU values are nanoseconds: the divisor that turns them into sample counts.
    private var cpuNanosecondsPerSample: Int64 = 1
    /// Memory profiles: the index of the `*_objects` value read into `Sample.objects`.
    private var objectsIndex: Int?

    private var profile = Profile()
    /// Frame indices per location, root first (a location's inlined lines, reversed).
    private var locationFrames: [[Int32]] = []
    private var locationIndexByID: [UInt64: Int] = [:]
    private var denseLocationIDs = true

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func decode() throws -> Profile {
        message = try parse()
        guard !message.sampleType.isEmpty else {
            throw fail("Profile.sample_type", "missing: not a pprof profile")
        }
        try checkStringTable()
        let (kind, valueIndex) = try chooseValue()
        profile = Profile(metadata: try metadata(kind: kind))
        let functions = try readFunctions()
        let mappings = try readMappings()
        try readLocations(functions: functions, mappings: mappings)
        try readSamples(valueIndex: valueIndex)
        return profile
    }

    // MARK: errors

    private func fail(_ path: String, _ reason: String) -> ProfileParseError {
        ProfileParseError(format: PprofCodec.format, location: .field(path), reason: reason)
    }

    /// swift-protobuf says only what kind of wire error it met (`truncated`, `malformedProtobuf`, ...);
    /// `PprofWireDiagnosis` walks the rejected bytes to name the field, as the model's errors do.
    private func parse() throws -> Perftools_Profiles_Profile {
        var options = BinaryDecodingOptions()
        options.discardUnknownFields = true  // drop_frames, doc_url, newer fields: flamelab reads none of them
        do {
            return try Perftools_Profiles_Profile(serializedBytes: bytes, options: options)
        } catch {
            let found = PprofWireDiagnosis(bytes).firstProblem()
            throw fail(found?.path ?? "Profile", found?.reason ?? "malformed protobuf (\(error))")
        }
    }

    // MARK: strings and header

    private func checkStringTable() throws {
        guard let first = message.stringTable.first else { throw fail("Profile.string_table", "missing") }
        guard first.isEmpty else { throw fail("Profile.string_table[0]", "must be the empty string") }
    }

    private func string(_ index: Int64, _ path: @autoclosure () -> String) throws -> String {
        guard index >= 0 && index < Int64(message.stringTable.count) else {
            throw fail(path(), "string index \(index) out of range (table has \(message.stringTable.count))")
        }
        return message.stringTable[Int(index)]
    }

    /// (type, unit) of a ValueType message.
    private func valueType(_ value: Perftools_Profiles_ValueType, _ path: String) throws -> (String, String) {
        (try string(value.type, path + ".type"), try string(value.unit, path + ".unit"))
    }

    /// Off-CPU when a type is `off_cpu`; otherwise CPU, valued by `samples`, else the default
    /// sample type, else the last type (pprof's own default); nanosecond CPU values are divided by
    /// the period.
    private mutating func chooseValue() throws -> (ProfileKind, Int) {
        var types: [String] = []
        var units: [String] = []
        for (i, sampleType) in message.sampleType.enumerated() {
            let (type, unit) = try valueType(sampleType, "Profile.sample_type[\(i)]")
            types.append(type)
            units.append(unit)
        }
        if let i = types.firstIndex(of: "off_cpu") { return (.offcpu, i) }
        if let i = types.firstIndex(of: PprofCodec.pageFaultsType) { return (.faults, i) }
        if let memory = try chooseMemoryValue(types) { return memory }
        if let i = types.firstIndex(of: "samples") { return (.cpu, i) }
        let wanted = try string(message.defaultSampleType, "Profile.default_sample_type")
        let index = (wanted.isEmpty ? nil : types.firstIndex(of: wanted)) ?? types.count - 1
        // A foreign CPU profile valued in nanoseconds (Go's `cpu/nanoseconds`) becomes sample
        // counts by dividing by the period, so that share tests see counts, not nanoseconds.
        if units[index] == "nanoseconds" && message.period > 0 { cpuNanosecondsPerSample = message.period }
        return (.cpu, index)
    }

    /// A heap profile (Go's `alloc_space`/`inuse_space` types, flamelab's memory kinds): the default
    /// type's kind when it is one of them, else in-use (Go's default); the value is its space, the
    /// objects its count.
    private mutating func chooseMemoryValue(_ types: [String]) throws -> (ProfileKind, Int)? {
        let candidates: [ProfileKind] = [.inuse, .alloc].filter { types.contains(MemorySampleType.space.pprofName($0)) }
        guard !candidates.isEmpty else { return nil }
        let wanted = try string(message.defaultSampleType, "Profile.default_sample_type")
        let kind = candidates.first { wanted.hasPrefix($0.rawValue + "_") } ?? candidates[0]
        objectsIndex = types.firstIndex(of: MemorySampleType.objects.pprofName(kind))
        return (kind, types.firstIndex(of: MemorySampleType.space.pprofName(kind))!)
    }

    private func metadata(kind: ProfileKind) throws -> ProfileMetadata {
        var meta = ProfileMetadata(kind: kind)
        meta.startUnixNs = UInt64(clamping: max(0, message.timeNanos))
        if message.durationNanos > 0 { meta.endUnixNs = meta.startUnixNs &+ UInt64(message.durationNanos) }
        if kind == .cpu, message.period > 0, message.hasPeriodType,
           try valueType(message.periodType, "Profile.period_type") == ("cpu", "nanoseconds") {
            meta.hz = Int((1_000_000_000.0 / Double(message.period)).rounded())
        }
        if kind.isMemory, message.period > 0 { meta.allocationRateBytes = message.period }
        if kind == .faults, message.period > 0 { meta.faultPeriod = message.period }
        for (i, index) in message.comment.enumerated() {
            try apply(comment: try string(index, "Profile.comment[\(i)]"), to: &meta)
        }
        return meta
    }

    /// Reads back one `flamelab.<key>=<value>` comment; other comments are left alone.
    private func apply(comment: String, to meta: inout ProfileMetadata) throws {
        guard comment.hasPrefix(PprofCodec.commentPrefix), let eq = comment.firstIndex(of: "=") else { return }
        let key = comment[comment.index(comment.startIndex, offsetBy: PprofCodec.commentPrefix.count)..<eq]
        let value = String(comment[comment.index(after: eq)...])
        switch key {
        case "hz": meta.hz = max(0, Int(value) ?? meta.hz)
        case "unwind": meta.unwindMode = UnwindMode(rawValue: value)
        case "monotonic_start_ns": meta.monotonicStartNs = UInt64(value) ?? 0
        case "dropped": meta.dropped = Int64(value) ?? 0
        case "service": meta.service = value
        case "version": meta.version = value
        case "alloc_rate": meta.allocationRateBytes = Int64(value)
        default: break
        }
    }

    // MARK: tables

    private struct FunctionInfo {
        var name: String
        var systemName: String
        var file: String
    }

    private func readFunctions() throws -> [UInt64: FunctionInfo] {
        var result: [UInt64: FunctionInfo] = [:]
        for (i, function) in message.function.enumerated() {
            let path = "Profile.function[\(i)]"
            guard function.id != 0 else { throw fail(path + ".id", "function id 0 is reserved") }
            result[function.id] = FunctionInfo(name: try string(function.name, path + ".name"),
                                               systemName: try string(function.systemName, path + ".system_name"),
                                               file: try string(function.filename, path + ".filename"))
        }
        return result
    }

    private func readMappings() throws -> [UInt64: String] {
        var result: [UInt64: String] = [:]
        for (i, mapping) in message.mapping.enumerated() {
            let path = "Profile.mapping[\(i)]"
            guard mapping.id != 0 else { throw fail(path + ".id", "mapping id 0 is reserved") }
            result[mapping.id] = try string(mapping.filename, path + ".filename")
        }
        return result
    }

    private mutating func readLocations(functions: [UInt64: FunctionInfo], mappings: [UInt64: String]) throws {
        locationFrames.reserveCapacity(message.location.count)
        for (i, location) in message.location.enumerated() {
            let path = "Profile.location[\(i)]"
            guard location.id != 0 else { throw fail(path + ".id", "location id 0 is reserved") }
            guard locationIndexByID[location.id] == nil else {
                throw fail(path + ".id", "duplicate location id \(location.id)")
            }
            var module = ""
            if location.mappingID != 0 {
                guard let m = mappings[location.mappingID] else {
                    throw fail(path + ".mapping_id", "unknown mapping id \(location.mappingID)")
                }
                module = m
            }
            let frames = try frames(of: location, module: module, functions: functions, path: path)
            if location.id != UInt64(locationFrames.count + 1) { denseLocationIDs = false }
            locationIndexByID[location.id] = locationFrames.count
            locationFrames.append(frames)
        }
    }

    /// A location's frames, root first; one `module+0x…` frame when it has no lines (unsymbolized).
    private mutating func frames(of location: Perftools_Profiles_Location, module: String,
                                 functions: [UInt64: FunctionInfo], path: String) throws -> [Int32] {
        guard !location.line.isEmpty else {
            let address = location.address
            let name = address != 0 && !module.isEmpty ? "\(module)+0x\(String(address, radix: 16))" : Frame.unknownName
            return [profile.intern(Frame(name: name, module: module, kind: .unknown))]
        }
        var frames: [Int32] = []
        // Lines run from the inlined (leaf) function outwards; stacks are root first.
        for (j, line) in location.line.enumerated().reversed() {
            guard let function = functions[line.functionID] else {
                throw fail(path + ".line[\(j)].function_id", "unknown function id \(line.functionID)")
            }
            frames.append(profile.intern(frame(function, module: module, line: line.line)))
        }
        return frames
    }

    private func frame(_ function: FunctionInfo, module: String, line: Int64) -> Frame {
        let kind: FrameKind
        if function.systemName.hasPrefix(PprofCodec.kindPrefix),
           let tagged = FrameKind(rawValue: String(function.systemName.dropFirst(PprofCodec.kindPrefix.count))) {
            kind = tagged
        } else {
            kind = FrameClassification.guess(name: function.name, module: module.isEmpty ? function.file : module)
        }
        return Frame(name: function.name, module: module, kind: kind,
                     file: function.file.isEmpty ? nil : function.file,
                     line: line > 0 && line <= Int64(Int32.max) ? Int(line) : nil)
    }

    // MARK: samples

    /// String indexes of the label keys flamelab understands (nil when absent from the table).
    private struct LabelKeyIDs {
        var trace, span, pid, tid, timestamp: Int64?
    }

    private func labelKeyIDs() -> LabelKeyIDs {
        func index(_ key: String) -> Int64? { message.stringTable.firstIndex(of: key).map(Int64.init) }
        return LabelKeyIDs(trace: index("trace_id"), span: index("span_id"), pid: index("pid"), tid: index("tid"),
                           timestamp: index("timestamp_ns"))
    }

    private mutating func readSamples(valueIndex: Int) throws {
        let keyIDs = labelKeyIDs()
        // Samples repeat stacks: key the interned stack by its location ids, so a repeated stack
        // costs one hash instead of a lookup per frame.
        var stackByLocationIDs: [[UInt64]: Int] = [:]
        var stack: [Int32] = []
        var total: Int64 = 0
        for (i, sample) in message.sample.enumerated() {
            // Paths are autoclosures, built only on failure: this loop runs once per sample.
            var labels = SampleLabels()
            for (j, label) in sample.label.enumerated() {
                try read(label, keys: keyIDs, into: &labels, path: "Profile.sample[\(i)].label[\(j)]")
            }
            let value = try sampleValue(sample.value, index: valueIndex, path: "Profile.sample[\(i)].value")
            let (sum, overflow) = total.addingReportingOverflow(value)
            guard !overflow else { throw fail("Profile.sample[\(i)].value", "total value overflows a 64-bit integer") }
            total = sum
            let stackID: Int
            if let known = stackByLocationIDs[sample.locationID] {
                stackID = known
            } else {
                try resolveStack(sample.locationID, into: &stack, path: "Profile.sample[\(i)].location_id")
                stackID = profile.intern(stack: stack)
                stackByLocationIDs[sample.locationID] = stackID
            }
            let objects = try objectsIndex.map { try sampleValue(sample.value, index: $0, path: "Profile.sample[\(i)].value") }
            profile.add(stackID: stackID, value: value, objects: objects, labels: labels)
        }
    }

    private func sampleValue(_ values: [Int64], index: Int, path: @autoclosure () -> String) throws -> Int64 {
        guard values.count == message.sampleType.count else {
            throw fail(path(), "has \(values.count) values but sample_type has \(message.sampleType.count)")
        }
        let value = values[index]
        guard value >= 0 else { throw fail(path(), "negative value \(value)") }
        guard cpuNanosecondsPerSample > 1 else { return value }
        return (value + cpuNanosecondsPerSample / 2) / cpuNanosecondsPerSample
    }

    /// Leaf-first location ids to a root-first stack of frame indices.
    private func resolveStack(_ ids: [UInt64], into stack: inout [Int32], path: @autoclosure () -> String) throws {
        stack.removeAll(keepingCapacity: true)
        for id in ids.reversed() {
            let index: Int
            if denseLocationIDs, id >= 1, id <= UInt64(locationFrames.count) {
                index = Int(id - 1)
            } else if let found = locationIndexByID[id] {
                index = found
            } else {
                throw fail(path(), "unknown location id \(id)")
            }
            stack.append(contentsOf: locationFrames[index])
        }
    }

    private func read(_ label: Perftools_Profiles_Label, keys: LabelKeyIDs, into labels: inout SampleLabels,
                      path: @autoclosure () -> String) throws {
        switch label.key {
        case keys.trace:
            let text = try string(label.str, path() + ".str")
            guard let id = TraceID(hex: text) else { throw fail(path() + ".str", "trace_id \"\(text.prefix(40))\" is not 32 hex digits") }
            labels.traceID = id
        case keys.span:
            let text = try string(label.str, path() + ".str")
            guard let id = SpanID(hex: text) else { throw fail(path() + ".str", "span_id \"\(text.prefix(40))\" is not 16 hex digits") }
            labels.spanID = id
        case keys.pid: labels.pid = Int32(truncatingIfNeeded: label.num)
        case keys.tid: labels.tid = Int32(truncatingIfNeeded: label.num)
        case keys.timestamp: labels.timestampNs = UInt64(bitPattern: label.num)
        default: _ = try string(label.key, path() + ".key")  // other labels are kept out of the model
        }
    }
}
